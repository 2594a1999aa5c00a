/**
 * Delay-tier consumption: {@link dev.keel.consumer.tiers.RetryTierConsumer} consumes the tier
 * topics {@code <topic>.retry.<n>} that dlq-core's {@code RetryTiers} forwards failed records to,
 * handles each record once it is due, and moves it on to the next tier or to the dead letters.
 *
 * <p>The consumer runtime runs one per group (consumer group {@code <group>.retry}) when retry
 * tiers are configured; build one by hand only for a consumer of your own.
 */
package dev.keel.consumer.tiers;
