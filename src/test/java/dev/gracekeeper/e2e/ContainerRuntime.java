package dev.gracekeeper.e2e;

import dev.gracekeeper.e2e.PodSpec.ContainerSpec;
import java.nio.file.Path;

/**
 * How the bed starts a container in a pod's namespaces: as a process ({@link Pod}), or from its
 * image ({@link PodmanRuntime}). Either way the result is the container's main process as the host
 * sees it, which the kubelet emulator signals, and whose exit status is the container's.
 */
interface ContainerRuntime {
    /** Starts {@code c} in {@code pod}, its output appended to {@code log}. */
    Pod.Container start(Pod pod, ContainerSpec c, Path log);

    /** podman for a container with an image, a process otherwise. */
    static ContainerRuntime of(ContainerSpec c) {
        return c.image().isPresent() ? PodmanRuntime.INSTANCE : Pod::startProcess;
    }
}
