/**
 * Keel dlq-core: retry policies, the failure classifier, dead-letter publishing and storage,
 * parking by key (ordered mode), replay and discard with an audit trail, and the operator CLI.
 *
 * <p>The consumer runtime calls this module for each failed record:
 *
 * <pre>{@code
 * if (publisher.parkIfBlocked(group, record)) continue;        // ordered mode: key K is parked
 * RetryOutcome outcome = retry.run(() -> handler.handle(record)); // in place, blocking, keeps order
 * if (!outcome.succeeded()) {
 *   publisher.publish(record, outcome.toFailure(group));        // <topic>.dlq + keel_dead_letter
 * }
 * }</pre>
 *
 * Kafka types live in {@code dev.keel.dlq.kafka}, Micrometer in {@code dev.keel.dlq.micrometer},
 * extension points in {@code dev.keel.dlq.spi}; everything in {@code internal} may change.
 */
package dev.keel.dlq;
