package dev.keel.dlq;

import dev.keel.retry.Failure;

/**
 * Where {@link RetryTiers#route} sent a failed record: forwarded to a delay tier, or given up (the
 * caller then dead-letters {@link #original()} with {@link #failure()}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param forwarded whether the record went to a tier topic
 * @param topic the tier topic it went to, or null when given up
 * @param tier the tier number (1-based), or 0 when given up
 * @param original the record with its original coordinates (source topic, partition, offset), for
 *     {@link DeadLetterPublisher#publish}; when a tier record's original-position headers are
 *     missing or unusable, the tier topic and the position it was first seen at in a tier instead
 *     (never a source position it cannot prove)
 * @param failure the failure with the attempts counted from the tier, never from a header
 */
public record TierRoute(
    boolean forwarded, String topic, int tier, FailedRecord original, Failure failure) {}
