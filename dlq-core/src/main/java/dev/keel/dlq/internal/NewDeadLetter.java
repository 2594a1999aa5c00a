package dev.keel.dlq.internal;

import dev.keel.dlq.FailedRecord;
import dev.keel.event.FailureClass;
import java.time.Instant;
import java.util.List;

/** A dead letter about to be stored. */
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
    Long dlqOffset) {}
