package dev.keel.dlq;

import java.time.Instant;

/**
 * A record held back behind a dead-lettered key in ordered mode.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the row id; parked records of a key are released in id order
 * @param group the consumer group
 * @param record the record as consumed
 * @param parkedAt when it was parked
 */
public record ParkedRecord(long id, String group, FailedRecord record, Instant parkedAt) {}
