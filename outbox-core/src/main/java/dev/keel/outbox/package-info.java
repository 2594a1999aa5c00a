/**
 * The transactional outbox: {@link dev.keel.outbox.Outbox} appends events in the caller's database
 * transaction; {@link dev.keel.outbox.OutboxRelay} publishes them to Kafka at least once, in
 * per-key order, across any number of relay instances; {@link dev.keel.outbox.OutboxAdmin} lets
 * operators see and act on what could not be published.
 */
package dev.keel.outbox;
