package dev.gracekeeper.lifecycle;

import java.time.Instant;

/** When and why a phase began. */
public record Transition(Phase phase, long generation, Instant at, String cause) {}
