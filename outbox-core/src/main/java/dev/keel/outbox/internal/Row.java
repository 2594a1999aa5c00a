package dev.keel.outbox.internal;

import java.util.UUID;

/** One claimed outbox row. */
record Row(
    long id,
    UUID eventId,
    String topic,
    String key,
    String type,
    int contractVersion,
    byte[] headersJson,
    byte[] payload,
    long createdAtMillis,
    int attempts) {}
