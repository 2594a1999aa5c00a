package dev.keel.advisor;

import static dev.keel.event.contract.FieldRole.BUSINESS_FACT;
import static dev.keel.event.contract.FieldRole.IDENTIFIER;
import static dev.keel.event.contract.FieldRole.METADATA;
import static dev.keel.event.contract.FieldType.ARRAY;
import static dev.keel.event.contract.FieldType.DECIMAL;
import static dev.keel.event.contract.FieldType.STRING;
import static dev.keel.event.contract.FieldType.TIMESTAMP;
import static dev.keel.event.contract.FieldType.UUID;

import dev.keel.advisor.spi.TopologySource;
import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.Deprecation;
import dev.keel.event.contract.EventContract;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The shipped order-fulfillment example assembled in Java, one {@link TopologySource} per service,
 * the way running components will describe themselves.
 */
final class OrderFulfillmentInJava {
  private static final ContractField ORDER_ID = ContractField.required("orderId", UUID, IDENTIFIER);
  private static final RetrySpec IN_PLACE =
      RetrySpec.inPlace(5, Duration.ofMillis(200), 2.0, Duration.ofSeconds(30));

  private OrderFulfillmentInJava() {}

  static Topology topology() {
    return Topology.builder()
        .system("order-fulfillment")
        .from(OrderFulfillmentInJava::orders)
        .from(participant("payments", "payment", "payment.commands", "payment.events"))
        .from(participant("inventory", "inventory", "inventory.commands", "inventory.events"))
        .from(participant("shipping", "shipment", "shipping.commands", "shipping.events"))
        .from(OrderFulfillmentInJava::paymentsEvents)
        .from(OrderFulfillmentInJava::inventoryEvents)
        .from(OrderFulfillmentInJava::shippingEvents)
        .from(OrderFulfillmentInJava::notifications)
        .build();
  }

  private static ContractField fact(String name, dev.keel.event.contract.FieldType type) {
    return ContractField.required(name, type, BUSINESS_FACT);
  }

  private static EventSpec.Builder event(String name, String producer, String topic) {
    return EventSpec.builder(name)
        .producer(producer)
        .topic(topic)
        .key("orderId")
        .version(1)
        .triggeredByDbChange(true)
        .field(ORDER_ID);
  }

  private static void topics(Topology.Builder b, int partitions, String... names) {
    for (String n : names) {
      b.topic(TopicSpec.of(n, partitions, Duration.ofDays(14), n + ".dlq"));
      b.topic(TopicSpec.of(n + ".dlq", partitions, Duration.ofDays(30), null));
    }
  }

  private static ConsumerSpec.Builder commandConsumer(String name, String service, String group) {
    return ConsumerSpec.builder(name)
        .service(service)
        .group(group)
        .ordering(ConsumerSpec.Ordering.PER_KEY)
        .idempotency(IdempotencySpec.dedupeTable(Duration.ofDays(7)))
        .retry(IN_PLACE)
        .poison(ConsumerSpec.Poison.PARK_KEY)
        .replayWindow(Duration.ofDays(3));
  }

  /** A saga participant: its command topic and consumer; the commands are the orchestrator's. */
  private static TopologySource participant(
      String service, String prefix, String commandTopic, String eventTopic) {
    return b -> {
      b.service(ServiceSpec.of(service, service + "-team"));
      topics(b, 6, commandTopic, eventTopic);
      String[] verbs =
          switch (prefix) {
            case "payment" -> new String[] {"authorize", "void"};
            case "inventory" -> new String[] {"reserve", "release"};
            default -> new String[] {"schedule", "cancel"};
          };
      b.consumer(
          commandConsumer(service + "-commands", service, service)
              .consumes(prefix + "." + verbs[0], prefix + "." + verbs[1])
              .calls(service.equals("shipping") ? new String[] {"inventory"} : new String[0])
              .build());
      for (String verb : verbs) {
        b.command(
            CommandSpec.of(
                prefix + "." + verb, "orders", service, commandTopic, "orderId", 1, List.of()));
      }
    };
  }

  private static void orders(Topology.Builder b) {
    b.service(
        new ServiceSpec(
            "orders",
            Optional.of("orders-team"),
            "Takes orders and orchestrates their fulfillment."));
    topics(b, 12, "orders");
    List<ContractField> v1 =
        List.of(
            ORDER_ID,
            ContractField.required("customerId", UUID, IDENTIFIER),
            fact("total", DECIMAL),
            fact("currency", STRING),
            fact("items", ARRAY),
            ContractField.optional("couponCode", STRING, BUSINESS_FACT));
    EventContract.Builder previous =
        EventContract.builder("order.placed", 1).owner("orders-team").orderingKey("orderId");
    v1.forEach(previous::field);
    EventSpec.Builder placed =
        EventSpec.builder("order.placed")
            .producer("orders")
            .topic("orders")
            .key("orderId")
            .version(2)
            .triggeredByDbChange(true)
            .description("A customer placed an order; it starts the order-fulfillment saga.")
            .previous(previous.build())
            .deprecate(
                new Deprecation(
                    "couponCode",
                    Instant.parse("2026-06-01T00:00:00Z"),
                    Duration.ofDays(180),
                    "read promotions from order.confirmed"));
    v1.forEach(placed::field);
    b.event(placed.field(ContractField.optional("channel", STRING, METADATA)).build());
    ContractField customer = ContractField.required("customerId", UUID, IDENTIFIER);
    b.event(
        event("order.confirmed", "orders", "orders")
            .description("The order is paid, reserved and scheduled for shipping.")
            .field(customer)
            .field(fact("shipmentId", UUID))
            .build());
    b.event(
        event("order.cancelled", "orders", "orders")
            .field(customer)
            .field(fact("reason", STRING))
            .build());
    b.consumer(
        commandConsumer("orders-saga", "orders", "orders-saga")
            .description("Feeds participant replies to the saga orchestrator.")
            .consumes(
                "payment.authorized",
                "payment.declined",
                "payment.voided",
                "inventory.reserved",
                "inventory.reservation-rejected",
                "inventory.released",
                "shipment.scheduled",
                "shipment.scheduling-failed",
                "shipment.cancelled")
            .build());
    b.saga(
        new SagaSpec(
            "order-fulfillment",
            "orders",
            Optional.of("order.placed"),
            Optional.of(Duration.ofHours(1)),
            List.of(
                step(
                    "authorize-payment",
                    "payment",
                    "authorize",
                    "authorized",
                    "declined",
                    "void",
                    "voided",
                    Duration.ofSeconds(30)),
                step(
                    "reserve-inventory",
                    "inventory",
                    "reserve",
                    "reserved",
                    "reservation-rejected",
                    "release",
                    "released",
                    Duration.ofSeconds(30)),
                step(
                    "schedule-shipment",
                    "shipment",
                    "schedule",
                    "scheduled",
                    "scheduling-failed",
                    "cancel",
                    "cancelled",
                    Duration.ofMinutes(2))),
            "Pay, reserve and ship an order, or undo what was done."));
    b.synchronous(
        new SyncCall(
            "shipping",
            "inventory",
            "warehouse-address",
            SyncCall.Transport.HTTP,
            true,
            false,
            Optional.empty(),
            "Pickup address of the warehouse holding the reservation."));
    b.synchronous(
        new SyncCall(
            "orders",
            "notifications",
            "send-confirmation-email",
            SyncCall.Transport.HTTP,
            false,
            true,
            Optional.of("order.confirmed"),
            "Legacy call made after the saga completes; to be replaced by order.confirmed."));
  }

  private static SagaStepSpec step(
      String name,
      String p,
      String cmd,
      String ok,
      String ko,
      String undo,
      String undone,
      Duration timeout) {
    return SagaStepSpec.of(
        name, p + "." + cmd, p + "." + ok, p + "." + ko, p + "." + undo, p + "." + undone, timeout);
  }

  private static void paymentsEvents(Topology.Builder b) {
    String t = "payment.events";
    b.event(
        event("payment.authorized", "payments", t)
            .field(fact("authorizationId", STRING))
            .field(fact("amount", DECIMAL))
            .build());
    b.event(event("payment.declined", "payments", t).field(fact("reason", STRING)).build());
    b.event(event("payment.voided", "payments", t).field(fact("authorizationId", STRING)).build());
  }

  private static void inventoryEvents(Topology.Builder b) {
    String t = "inventory.events";
    b.event(event("inventory.reserved", "inventory", t).field(fact("reservationId", UUID)).build());
    b.event(
        event("inventory.reservation-rejected", "inventory", t)
            .field(fact("missingSkus", ARRAY))
            .build());
    b.event(event("inventory.released", "inventory", t).field(fact("reservationId", UUID)).build());
  }

  private static void shippingEvents(Topology.Builder b) {
    String t = "shipping.events";
    b.event(
        event("shipment.scheduled", "shipping", t)
            .field(fact("shipmentId", UUID))
            .field(fact("pickupAt", TIMESTAMP))
            .build());
    b.event(
        event("shipment.scheduling-failed", "shipping", t).field(fact("reason", STRING)).build());
    b.event(event("shipment.cancelled", "shipping", t).field(fact("shipmentId", UUID)).build());
  }

  private static void notifications(Topology.Builder b) {
    b.service(ServiceSpec.of("notifications", "customer-comms-team"));
    b.consumer(
        ConsumerSpec.builder("notifications")
            .service("notifications")
            .group("notifications")
            .description("Emails the customer; order does not matter, so retries do not block.")
            .consumes("order.placed", "order.confirmed", "order.cancelled")
            .idempotency(IdempotencySpec.dedupeTable(Duration.ofDays(7)))
            .retry(
                RetrySpec.nonBlocking(
                    List.of(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(30))))
            .replayWindow(Duration.ofDays(3))
            .build());
  }
}
