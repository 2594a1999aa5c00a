/**
 * Topology sources read from a service's running Keel components: the events of an outbox (from its
 * contracts), the consumers of a consumer runtime (from its listeners and policies) and the topics
 * of the Kafka cluster. A service combines them to print its own plan at startup or from a test.
 * The module's dependencies on outbox-core, dlq-core, consumer-core and saga-core are optional: add
 * the ones whose components you describe.
 */
package dev.keel.advisor.running;
