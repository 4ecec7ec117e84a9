package dev.gracekeeper.e2e;

import java.nio.file.Path;
import java.util.Map;

/**
 * The image a container runs from, and its volumes: each host directory and where it is mounted.
 * The directories are made writable for any user, as the kubelet makes an emptyDir.
 */
record Image(String name, Map<Path, String> volumes) {}
