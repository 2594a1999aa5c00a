package dev.keel.dlq.spi;

import dev.keel.dlq.FailedRecord;

/**
 * Sees a dead letter's payload, error message and headers before they leave the process: before
 * they are published to {@code <topic>.dlq} and before they are stored in the dead-letter table.
 * Return what to keep, for example with personal fields or tokens masked or encrypted.
 *
 * <p>Replay publishes the stored bytes, so a redactor that masks data makes replay publish masked
 * data; encrypt instead when records must stay replayable. Records parked behind a dead-lettered
 * key (ordered mode) are not dead letters: they are stored unredacted because they will be
 * processed when released.
 *
 * <p>Implementations must be thread-safe and must not throw; an exception fails the publish (the
 * record is not dead-lettered with an unredacted payload).
 */
@FunctionalInterface
public interface PayloadRedactor {

  /** Keeps payloads unchanged. */
  PayloadRedactor NONE = (record, payload) -> payload;

  /**
   * The payload to publish and store.
   *
   * @param record the failed record (topic, partition, offset, key, headers)
   * @param payload a copy of the value bytes, or null for a tombstone
   * @return the bytes to keep, or null
   */
  byte[] redact(FailedRecord record, byte[] payload);

  /**
   * The error message to publish and store; unchanged by default. Messages are also cut to 1,024
   * bytes and stripped of control characters.
   *
   * @param message the message of the last error, never null
   */
  default String redactMessage(String message) {
    return message;
  }

  /**
   * A header's value to publish and store, or null to leave the header out; unchanged by default.
   * Called for every header of the failed record except Keel's own ({@code keel-*}, which replay
   * and deduplication need, and {@code traceparent}): an {@code authorization} or a session token
   * copied into a record's headers can be masked here.
   *
   * @param record the failed record
   * @param name the header's name
   * @param value a copy of the header's value, possibly null
   */
  default byte[] redactHeader(FailedRecord record, String name, byte[] value) {
    return value;
  }
}
