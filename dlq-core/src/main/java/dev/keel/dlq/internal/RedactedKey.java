package dev.keel.dlq.internal;

import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.spi.PayloadRedactor;
import java.util.Arrays;

/**
 * A record's key as its dead letter keeps it: the key to publish and store (after {@link
 * PayloadRedactor#redactKey}), the hash of the original key (the key's identity in ordered mode),
 * and whether the two keys differ.
 *
 * @param key the key to publish and store, or null
 * @param hash the {@link KeyHash} of the original key, or null for an unkeyed record
 * @param redacted whether {@code key} differs from the original key
 */
record RedactedKey(byte[] key, String hash, boolean redacted) {

  /** The record's key after the redactor; the redactor is not asked about an unkeyed record. */
  static RedactedKey of(PayloadRedactor redactor, FailedRecord record) {
    byte[] original = record.key();
    if (original == null) {
      return new RedactedKey(null, null, false);
    }
    byte[] kept = redactor.redactKey(record, record.key());
    kept = kept == null ? null : kept.clone(); // the redactor may reuse its array
    return new RedactedKey(kept, KeyHash.of(original), !Arrays.equals(original, kept));
  }
}
