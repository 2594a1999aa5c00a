package dev.keel.saga;

import java.time.Instant;

/**
 * One line of a saga's step log.
 *
 * @param seq the position in the log, from 1
 * @param step the step name, null for saga-level lines
 * @param kind what happened
 * @param attempt the attempt of the step's action or compensation
 * @param at when it was recorded
 * @param detail a short detail (failure reason, reply type), may be null
 */
public record StepLogEntry(
    int seq, String step, StepLogKind kind, int attempt, Instant at, String detail) {}
