package dev.gracekeeper.kube;

/**
 * Why a request to the API server failed, with what would fix it. {@link Kind#GONE} and a cut
 * stream are expected and handled by a fresh LIST or a reconnect; the rest mean falling back.
 */
public final class ApiFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind { UNREACHABLE, TIMEOUT, TLS, UNAUTHORIZED, FORBIDDEN, GONE, HTTP, BAD_ANSWER }

    private final Kind kind;

    public ApiFailure(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() { return kind; }

    /** What the operator should do about it, for the one fallback log line. */
    public String fix(String namespace) {
        switch (kind) {
            case FORBIDDEN:
                return "grant the pod's ServiceAccount a Role in namespace " + namespace + " with rules [{apiGroups:"
                        + " [discovery.k8s.io], resources: [endpointslices], verbs: [get, list, watch]}] and a"
                        + " RoleBinding (see the README, \"Endpoint-aware propagation\")";
            case UNAUTHORIZED:
                return "the API server refused the service account token: check that the token is mounted and"
                        + " current (automountServiceAccountToken, the projected token's expiry)";
            case TLS:
                return "ca.crt must be the cluster's CA bundle, and the API server's certificate must name"
                        + " KUBERNETES_SERVICE_HOST";
            case UNREACHABLE:
            case TIMEOUT:
                return "allow egress from the pod to the API server (NetworkPolicy) and check"
                        + " KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT";
            default:
                return "check the API server's health; the answer is in this line";
        }
    }
}
