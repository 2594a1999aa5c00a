/**
 * Keel consumer-core: idempotent Kafka consumers with effectively-once effects.
 *
 * <p>Write a {@link dev.keel.consumer.KeelListener} method (or a {@link
 * dev.keel.consumer.ListenerDefinition}) and register it with a {@link
 * dev.keel.consumer.ConsumerRuntime}. For every record the runtime runs
 *
 * <pre>
 * poll → deserialize (failure = poison) → dedupe insert (consumer_group, event_id)
 *      → handler(event, payload, transaction) → DB commit → offset commit
 * </pre>
 *
 * so that the handler's effects and the dedupe row commit together: a record delivered again has no
 * effect and raises no exception. Failures follow the dlq-core {@link dev.keel.retry.RetryPolicy}
 * (retry in place, then dead-letter). Order is per partition by default, or per key within a
 * partition ({@link dev.keel.consumer.Ordering#KEY}).
 *
 * <p>Everything in {@code internal} may change without notice.
 */
package dev.keel.consumer;
