package dev.keel.dlq;

import java.time.Instant;

/**
 * A record held back behind a dead-lettered key in ordered mode.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the row id; parked records of a key are released in id order. A record that a replay
 *     sent while releasing its key is parked again under its old id when a new dead letter of the
 *     key stops that release before the consumer reads it (a replayed dead letter's record under a
 *     negative id, ahead of the key's other parked records)
 * @param group the consumer group
 * @param record the record as consumed
 * @param parkedAt when it was parked
 */
public record ParkedRecord(long id, String group, FailedRecord record, Instant parkedAt) {}
