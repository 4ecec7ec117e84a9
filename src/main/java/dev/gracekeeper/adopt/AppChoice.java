package dev.gracekeeper.adopt;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which container is the app: the only regular one, or the one named with {@code --container}. */
final class AppChoice {
    private AppChoice() {}

    static Map<String, Object> choose(PodView pod, Optional<String> wanted) throws InjectException {
        List<Map<String, Object>> apps = pod.containers();
        List<String> names = apps.stream().map(PodView::name).toList();
        if (wanted.isPresent()) {
            return apps.stream().filter(c -> wanted.get().equals(PodView.name(c))).findFirst()
                    .orElseThrow(() -> new InjectException(pod.workload, "no container named '" + wanted.get()
                            + "' (--container); its containers: " + String.join(", ", names)));
        }
        if (apps.isEmpty()) throw new InjectException(pod.workload, "no containers: nothing to add gracekeeper to");
        if (apps.size() != 1) {
            throw new InjectException(pod.workload, apps.size() + " containers (" + String.join(", ", names)
                    + ") and no --container: name the app whose preStop gracekeeper takes over, e.g. --container "
                    + names.get(0));
        }
        return apps.get(0);
    }
}
