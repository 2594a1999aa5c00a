package dev.keel.dlq.spi;

import dev.keel.dlq.FailedRecord;

/**
 * Sees a dead letter's key, payload, error message and headers before they leave the process:
 * before they are published to {@code <topic>.dlq} and before they are stored in the dead-letter
 * table (and so before the {@code keel dlq} CLI prints them). Return what to keep, for example with
 * personal fields or tokens masked or encrypted.
 *
 * <p>Replay publishes the stored bytes, so a redactor that masks a payload or header makes replay
 * publish masked data; encrypt instead when records must stay replayable. A redacted <em>key</em>
 * is different: replay refuses the dead letter (see {@link #redactKey}).
 *
 * <p>Records parked behind a dead-lettered key (ordered mode) are not dead letters: they are stored
 * unredacted, key included, in {@code keel_dlq_parked} because they will be processed when
 * released.
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

  /**
   * The key to publish to {@code <topic>.dlq}, store and show; unchanged by default. Not called for
   * a record without a key.
   *
   * <p>Ordered mode still finds the key by its original bytes: the dead letter stores the SHA-256
   * of the original key ({@code key_hash}) as the key's identity, so the key is blocked, its later
   * records parked and released, and {@code DeadLetterQuery.key} / {@code --key} look it up, by the
   * original key. The hash is not salted: a key that can be guessed (a phone number, a card number)
   * can be confirmed against it, so it hides only keys that cannot be guessed.
   *
   * <p>A dead letter whose key this changes (returns other bytes, or null) is stored as
   * key-redacted, and <b>replay refuses it</b>: it would publish the record under the redacted key,
   * to another partition than the key's other records, and break the key's order. Encrypting the
   * key does not help either, since replay publishes the stored bytes. Such a dead letter can be
   * discarded (which releases the records parked behind its key); republish the original record
   * from its source if it must still be processed.
   *
   * @param record the failed record
   * @param key a copy of the key bytes, never null
   * @return the key to keep (any bytes, empty included), or null to keep none
   */
  default byte[] redactKey(FailedRecord record, byte[] key) {
    return key;
  }
}
