package dev.gracekeeper.adopt;

/** The input cannot be read as Kubernetes manifests: the message says where and why. */
public final class ManifestException extends Exception {
    private static final long serialVersionUID = 1L;

    public ManifestException(String message) {
        super(message);
    }
}
