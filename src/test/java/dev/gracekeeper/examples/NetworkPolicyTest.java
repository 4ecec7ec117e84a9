package dev.gracekeeper.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.gracekeeper.config.ConfigException;
import dev.gracekeeper.config.ConfigParser;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sidecar's port listens on the pod IP, which every pod can reach: each example's NetworkPolicy
 * admits other pods to the app's ports only. The kubelet's hooks and probes come from the node,
 * which NetworkPolicy does not restrict, so they still reach the sidecar.
 */
class NetworkPolicyTest {
    static List<String> examples() {
        return Example.names();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void otherPodsAreAdmittedToTheAppsPortsOnly(String name) throws ConfigException {
        Example e = Example.load(name);
        NetworkPolicy np = e.networkPolicy.orElseThrow(() -> new AssertionError(name + ": has a NetworkPolicy"));
        Map<String, String> labels = e.deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(labels.entrySet().containsAll(np.getSpec().getPodSelector().getMatchLabels().entrySet()),
                name + ": the policy selects the example's pods");
        assertEquals(List.of("Ingress"), np.getSpec().getPolicyTypes(), name + ": it restricts ingress");

        List<ContainerPort> appPorts = e.apps().stream().flatMap(a -> a.getPorts().stream()).toList();
        int sidecarPort = ExamplesTest.config(e).port();
        Set<Integer> admitted = new TreeSet<>();
        for (NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
            assertFalse(rule.getPorts() == null || rule.getPorts().isEmpty(), name + ": a rule without ports admits all");
            for (NetworkPolicyPort p : rule.getPorts()) admitted.add(containerPort(name, p.getPort(), appPorts));
        }
        assertFalse(admitted.contains(sidecarPort), name + ": the sidecar's port " + sidecarPort + " is not admitted");
        assertEquals(appPorts.stream().map(ContainerPort::getContainerPort).collect(Collectors.toCollection(TreeSet::new)),
                admitted, name + ": every app port, and only those");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void theManifestSaysWhyTheKubeletIsNotBlocked(String name) throws Exception {
        String yaml = Files.readString(Example.ROOT.resolve(name).resolve("deployment.yaml"));
        String policy = yaml.substring(yaml.lastIndexOf("\n---"));
        assertTrue(policy.contains("from the node") && policy.contains("kubelet"), name + ": the note on the kubelet");
    }

    @Test
    void theKustomizeBaseCarriesTheSamePolicy() throws Exception {
        Path base = Example.ROOT.resolve("kustomize").resolve("base");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        NetworkPolicy np = Example.strict(yaml.readValue(base.resolve("networkpolicy.yaml").toFile(),
                NetworkPolicy.class), "kustomize/base/networkpolicy.yaml");
        Deployment d = yaml.readValue(base.resolve("deployment.yaml").toFile(), Deployment.class);
        assertEquals(d.getSpec().getTemplate().getMetadata().getLabels(), np.getSpec().getPodSelector().getMatchLabels());
        List<ContainerPort> appPorts = d.getSpec().getTemplate().getSpec().getContainers().stream()
                .flatMap(c -> c.getPorts().stream()).toList();
        assertEquals(appPorts.stream().map(ContainerPort::getContainerPort).toList(), np.getSpec().getIngress().stream()
                .flatMap(r -> r.getPorts().stream()).map(p -> containerPort("kustomize", p.getPort(), appPorts)).toList());
        assertTrue(Files.readString(base.resolve("kustomization.yaml")).contains("- networkpolicy.yaml"),
                "the base's kustomization lists it");
    }

    /** A port of the policy as the app container's port number, named or not; fails on a port not the app's. */
    private static int containerPort(String name, IntOrString port, List<ContainerPort> appPorts) {
        return appPorts.stream()
                .filter(cp -> port.getIntVal() != null ? cp.getContainerPort().equals(port.getIntVal())
                        : port.getStrVal().equals(cp.getName()))
                .map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError(name + ": port " + port + " is not an app port"));
    }
}
