package dev.keel.outbox;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A row the relay could not publish and set aside, with its error.
 *
 * @param eventId the event id
 * @param lane its lane
 * @param topic the destination topic
 * @param key the partition key, or empty
 * @param type the event type
 * @param contractVersion the contract version
 * @param payloadSize payload size in bytes (the payload itself is not loaded into listings)
 * @param createdAt when it was appended
 * @param attempts publish attempts made
 * @param error the last error (exception type and message, no stack trace)
 * @param quarantinedAt when it was set aside
 */
public record QuarantinedEvent(
    UUID eventId,
    int lane,
    String topic,
    Optional<String> key,
    String type,
    int contractVersion,
    int payloadSize,
    Instant createdAt,
    int attempts,
    String error,
    Instant quarantinedAt) {}
