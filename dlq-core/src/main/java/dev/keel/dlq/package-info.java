/**
 * Keel dlq-core: dead letters on top of retry-core's policies and classifier: delay-tier
 * forwarding, dead-letter publishing and storage, parking by key (ordered mode), replay and discard
 * with an audit trail, and the operator CLI.
 *
 * <p>The consumer runtime calls this module for each failed record:
 *
 * <pre>{@code
 * FailedRecord record = KafkaFailedRecords.of(consumerRecord);
 * if (publisher.parkIfBlocked(group, record)) continue;        // ordered mode: key K is parked
 * RetryOutcome<Void> outcome = retry.run(() -> handler.handle(consumerRecord)); // blocking, keeps order
 * if (!outcome.succeeded()) {
 *   switch (outcome.action()) {
 *     case DEAD_LETTER, PARK -> publisher.publish(record, outcome.toFailure(group));
 *     case FAIL_FAST -> throw new FatalKeelException("...", outcome.lastError());
 *     default -> throw new IllegalStateException();
 *   }
 * }
 * // then commit the offset
 * }</pre>
 *
 * With delay tiers instead (non-blocking, does not keep order): after one failed attempt call
 * {@link dev.keel.dlq.RetryTiers#route} and, when it was not forwarded, publish its {@code
 * original()}; consume the tiers with consumer-core's {@code
 * dev.keel.consumer.tiers.RetryTierConsumer} (the consumer runtime runs one per group). A {@code
 * FatalKeelException} from the handler stops the component before any of this.
 *
 * <p>Kafka types live in {@code dev.keel.dlq.kafka}, Micrometer in {@code dev.keel.dlq.micrometer},
 * extension points in {@code dev.keel.dlq.spi}; everything in {@code internal} may change.
 */
package dev.keel.dlq;
