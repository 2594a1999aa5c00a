/**
 * Micrometer observations of the outbox: {@code create <topic>} around each appended event ({@link
 * dev.keel.outbox.observation.OutboxAppendContext}) and {@code send <topic>} around each record the
 * relay publishes ({@link dev.keel.outbox.observation.OutboxSendContext}), with conventions that
 * applications can replace. W3C trace context crosses the outbox with the row: injected at append
 * into the stored headers, extracted by the relay, forwarded to Kafka. Off unless an {@code
 * ObservationRegistry} is given to the builders.
 */
package dev.keel.outbox.observation;
