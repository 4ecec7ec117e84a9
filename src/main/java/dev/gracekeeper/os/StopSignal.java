package dev.gracekeeper.os;

/** The signals that stop the sidecar; the kubelet sends SIGTERM, a terminal SIGINT. */
public enum StopSignal { SIGTERM, SIGINT }
