/**
 * The order-fulfillment system: orders (saga orchestrator, owner of {@code order.placed}),
 * inventory, payments and shipping (saga participants) and notifications (a choreographed
 * consumer), each in its own package with its own tables, talking only through Kafka. {@link
 * dev.keel.examples.fulfillment.OrderFulfillmentApp} runs it on the embedded default.
 */
package dev.keel.examples.fulfillment;
