package dev.keel.dlq.internal;

import dev.keel.dlq.FailedRecord;
import dev.keel.event.FailureClass;
import java.time.Instant;
import java.util.List;

/**
 * A dead letter about to be stored. {@code key} is the key to store (redacted or not), {@code
 * keyHash} the hash of the record's original key: the key's identity in ordered mode.
 */
record NewDeadLetter(
    String group,
    String topic,
    int partition,
    long offset,
    byte[] key,
    String eventId,
    FailureClass reason,
    String exceptionClass,
    String exceptionMessage,
    String stackTrace,
    int attempts,
    Instant firstFailure,
    Instant lastFailure,
    Instant createdAt,
    List<FailedRecord.Header> headers,
    byte[] payload,
    String dlqTopic,
    Integer dlqPartition,
    Long dlqOffset,
    String keyHash,
    boolean keyRedacted) {

  /** A dead letter stored with the record's own key. */
  NewDeadLetter(
      String group,
      String topic,
      int partition,
      long offset,
      byte[] key,
      String eventId,
      FailureClass reason,
      String exceptionClass,
      String exceptionMessage,
      String stackTrace,
      int attempts,
      Instant firstFailure,
      Instant lastFailure,
      Instant createdAt,
      List<FailedRecord.Header> headers,
      byte[] payload,
      String dlqTopic,
      Integer dlqPartition,
      Long dlqOffset) {
    this(
        group,
        topic,
        partition,
        offset,
        key,
        eventId,
        reason,
        exceptionClass,
        exceptionMessage,
        stackTrace,
        attempts,
        firstFailure,
        lastFailure,
        createdAt,
        headers,
        payload,
        dlqTopic,
        dlqPartition,
        dlqOffset,
        KeyHash.of(key),
        false);
  }
}
