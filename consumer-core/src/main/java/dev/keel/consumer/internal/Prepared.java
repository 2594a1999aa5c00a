package dev.keel.consumer.internal;

import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.Event;

/**
 * A record turned into what its handler needs: envelope, listener, decoded payload, idempotency
 * key. {@code listener} is null when the group ignores the event's type.
 */
record Prepared(
    Event event,
    ListenerDefinition listener,
    Object payload,
    String key,
    int partition,
    long offset) {}
