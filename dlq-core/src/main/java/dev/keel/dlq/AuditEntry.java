package dev.keel.dlq;

import java.time.Instant;

/**
 * One operator action from the {@code keel_dlq_audit} table: who did what, when, to how many.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the row id
 * @param at when
 * @param actor who (as given to the API or CLI)
 * @param action {@code replay} or {@code discard}
 * @param selection the filter that chose the dead letters
 * @param target the topic replayed to, or null
 * @param records dead letters affected
 * @param parkedRecords parked records released or removed
 * @param outcome {@code completed}, or {@code failed: ...} with the error when the action stopped
 *     part way (records and parkedRecords then count what was done before it stopped)
 */
public record AuditEntry(
    long id,
    Instant at,
    String actor,
    String action,
    String selection,
    String target,
    int records,
    int parkedRecords,
    String outcome) {}
