package dev.keel.advisor.running;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.advisor.Advisor;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Finding;
import dev.keel.advisor.IdempotencySpec;
import dev.keel.advisor.Publication;
import dev.keel.advisor.Report;
import dev.keel.advisor.Rule;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.SagaStepSpec;
import dev.keel.advisor.ServiceSpec;
import dev.keel.advisor.TopicSpec;
import dev.keel.advisor.Topology;
import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.consumer.Ordering;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.EventContract;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.contract.FieldRole;
import dev.keel.event.contract.FieldType;
import dev.keel.outbox.Outbox;
import dev.keel.retry.RetryPolicy;
import dev.keel.saga.SagaDefinition;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * A topology built from a running outbox, a consumer runtime and the broker's topics (no YAML), and
 * the review the advisor makes of it.
 */
@KeelTest
class RunningTopologyIT {

  private static EventContract.Builder placed(int version) {
    EventContract.Builder b =
        EventContract.builder("order.placed", version)
            .owner("team-orders")
            .orderingKey("orderId")
            .description("An order was placed")
            .field(ContractField.required("orderId", FieldType.STRING, FieldRole.IDENTIFIER));
    if (version > 1) {
      b.field(ContractField.optional("coupon", FieldType.STRING, FieldRole.BUSINESS_FACT));
    }
    return b;
  }

  /** Topic creation returns before every broker lists the topic: wait until it does. */
  private static void visible(KafkaBroker broker, String... names) {
    try (Admin admin = Admin.create(broker.clientProperties())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> admin.listTopics().names().get().containsAll(List.of(names)));
    }
  }

  @Test
  void describesOutboxConsumersAndTopics(KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String orders = topics.create("orders", 3);
    broker.createTopic(orders + ".dlq", 3);
    String audit = topics.create("audit", 2);
    visible(broker, orders, orders + ".dlq", audit);
    Outbox outbox =
        Outbox.builder()
            .contracts(
                EventContracts.builder()
                    .register(placed(1).topic(orders).build())
                    .register(placed(2).topic(orders).build())
                    .build())
            .requireKey(orders)
            .build();
    Map<String, Object> consumer = new HashMap<>(broker.clientProperties());
    ConsumerRuntime runtime =
        ConsumerRuntime.builder()
            .consumerProperties(consumer)
            .dataSource(db.dataSource())
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(4)
                    .initialDelay(Duration.ofMillis(200))
                    .maxDelay(Duration.ofSeconds(2))
                    .build())
            .dedupeRetention(Duration.ofDays(3))
            .listener(
                ListenerDefinition.builder()
                    .name("shipping-on-order-placed")
                    .topic(orders)
                    .group("shipping")
                    .eventType("order.placed")
                    .ordering(Ordering.KEY)
                    .handler(d -> {})
                    .build())
            .build();

    Topology topology =
        Topology.builder()
            .system("shop")
            .from(KeelComponents.kafkaTopics(broker.clientProperties(), Duration.ofSeconds(10)))
            .from(KeelComponents.outbox("orders", outbox))
            .from(KeelComponents.consumers("shipping", runtime))
            .build();

    TopicSpec ordersTopic = topology.topic(orders).orElseThrow();
    assertThat(ordersTopic.partitions()).isEqualTo(3);
    assertThat(ordersTopic.dlq()).contains(orders + ".dlq");
    assertThat(topology.topic(audit).orElseThrow().dlq()).isEmpty();
    assertThat(topology.topic(audit).orElseThrow().partitions()).isEqualTo(2);

    EventSpec event = topology.event("order.placed").orElseThrow();
    assertThat(event.producer()).isEqualTo("orders");
    assertThat(event.topic()).isEqualTo(orders);
    assertThat(event.version()).contains(2);
    assertThat(event.owner()).contains("team-orders");
    assertThat(event.partitionKey()).contains("orderId");
    assertThat(event.publishedVia()).isEqualTo(Publication.OUTBOX);
    assertThat(event.previous().map(EventContract::version)).contains(1);
    assertThat(event.fields()).extracting(ContractField::name).containsExactly("orderId", "coupon");

    ConsumerSpec shipping = topology.consumers().get(0);
    assertThat(shipping.name()).isEqualTo("shipping-on-order-placed");
    assertThat(shipping.service()).isEqualTo("shipping");
    assertThat(shipping.group()).isEqualTo("shipping");
    assertThat(shipping.consumes()).containsExactly("order.placed");
    assertThat(shipping.ordering()).isEqualTo(ConsumerSpec.Ordering.PER_KEY);
    assertThat(shipping.idempotency().strategy()).isEqualTo(IdempotencySpec.Strategy.DEDUPE_TABLE);
    assertThat(shipping.idempotency().window()).isEqualTo(Duration.ofDays(3));
    assertThat(shipping.retry().maxAttempts()).isEqualTo(4);
    assertThat(shipping.retry().initialBackoff()).isEqualTo(Duration.ofMillis(200));
    assertThat(shipping.retry().maxBackoff()).isEqualTo(Duration.ofSeconds(2));

    // Idempotent through the dedupe table, a DLQ of as many partitions, additive v1 -> v2, keyed by
    // the ordering key, retention (broker default 7 days) above the 3-day dedupe window: clean.
    Report review = Advisor.create().review(topology);
    assertThat(review.findings()).isEmpty();
    assertThat(Advisor.create().design(topology).markdown())
        .contains("order.placed")
        .contains("shipping-on-order-placed");
  }

  @Test
  void aBreakingChangeOnTheRunningOutboxIsReported(KafkaBroker broker, Topics topics) {
    String orders = topics.create("orders", 1);
    broker.createTopic(orders + ".dlq", 1);
    visible(broker, orders, orders + ".dlq");
    EventContract v2 =
        EventContract.builder("order.placed", 2)
            .owner("team-orders")
            .topic(orders)
            .field(
                ContractField.required(
                    "orderId", FieldType.INTEGER, FieldRole.IDENTIFIER)) // was a string
            .build();
    Outbox outbox =
        Outbox.builder()
            .contracts(
                EventContracts.builder()
                    .register(placed(1).topic(orders).build())
                    .register(v2)
                    .build())
            .build();
    Topology topology =
        Topology.builder()
            .system("shop")
            .from(KeelComponents.kafkaTopics(broker.clientProperties(), Duration.ofSeconds(10)))
            .from(KeelComponents.outbox("orders", outbox))
            .build();
    assertThat(Advisor.create().review(topology).findings())
        .extracting(Finding::rule)
        .contains(Rule.BREAKING_CONTRACT_CHANGE);
  }

  /** The data of the saga described below. */
  record Order(String id) {}

  @Test
  void describesASagaDefinitionWithItsCommandsAndReplies(KafkaBroker broker, Topics topics) {
    String stock = topics.create("stock-commands", 2);
    String pay = topics.create("payment-commands", 2);
    String replies = topics.create("replies", 2);
    String outcomes = topics.create("outcomes", 2);
    for (String t : List.of(stock, pay, replies, outcomes)) {
      broker.createTopic(t + ".dlq", 2);
    }
    visible(broker, stock, pay, replies, outcomes, outcomes + ".dlq");
    SagaDefinition<Order> fulfillment =
        SagaDefinition.builder("order-fulfillment", Order.class)
            .replyTopic(replies)
            .outcomeTopic(outcomes)
            .step(
                "reserve-stock",
                st ->
                    st.command(stock, "stock.reserve", d -> d)
                        .onReply("stock.reserved")
                        .compensation(stock, "stock.release", d -> d, "stock.released")
                        .timeout(Duration.ofSeconds(30)))
            .step(
                "capture-payment",
                st ->
                    st.command(pay, "payment.capture", d -> d)
                        .onReply("payment.captured")
                        .noCompensation()
                        .timeout(Duration.ofSeconds(30)))
            .build();

    Topology topology =
        Topology.builder()
            .system("shop")
            .service(ServiceSpec.of("orders", "orders-team"))
            .service(ServiceSpec.of("inventory", "inventory-team"))
            .service(ServiceSpec.of("payments", "payments-team"))
            .from(KeelComponents.kafkaTopics(broker.clientProperties(), Duration.ofSeconds(10)))
            .from(
                KeelComponents.saga(
                    "orders", fulfillment, Map.of(stock, "inventory", pay, "payments")))
            .build();

    assertThat(topology.services())
        .extracting(ServiceSpec::name)
        .containsExactlyInAnyOrder("orders", "inventory", "payments");
    assertThat(topology.command("stock.reserve").orElseThrow().handler()).isEqualTo("inventory");
    assertThat(topology.command("payment.capture").orElseThrow().sender()).isEqualTo("orders");
    assertThat(topology.event("stock.released").orElseThrow().producer()).isEqualTo("inventory");
    assertThat(topology.event("order-fulfillment.completed").orElseThrow().topic())
        .isEqualTo(outcomes);
    SagaSpec saga = topology.sagas().get(0);
    assertThat(saga.orchestrator()).isEqualTo("orders");
    assertThat(saga.steps())
        .extracting(SagaStepSpec::name)
        .containsExactly("reserve-stock", "capture-payment");
    assertThat(saga.steps().get(0).compensation()).contains("stock.release");
    assertThat(saga.steps().get(1).timeout()).contains(Duration.ofSeconds(30));

    // The step that cannot be undone is the one finding; everything else is declared.
    assertThat(Advisor.create().review(topology).findings())
        .extracting(Finding::rule, Finding::element)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                Rule.SAGA_STEP_INCOMPLETE, "saga 'order-fulfillment' step 'capture-payment'"));

    assertThatThrownBy(() -> KeelComponents.saga("orders", fulfillment, Map.of(stock, "inventory")))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("capture-payment")
        .hasMessageContaining(pay);
  }

  @Test
  void whatARunningComponentCannotDescribeIsAClearError(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    assertThatThrownBy(() -> KeelComponents.outbox("orders", Outbox.builder().build()))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("orders")
        .hasMessageContaining("no contracts");
    Outbox noTopic =
        Outbox.builder()
            .contracts(EventContracts.builder().register(placed(1).build()).build())
            .build();
    assertThatThrownBy(() -> KeelComponents.outbox("orders", noTopic))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("'order.placed' v1")
        .hasMessageContaining("no topic");
    ConsumerRuntime catchAll =
        ConsumerRuntime.builder()
            .consumerProperties(new HashMap<>(broker.clientProperties()))
            .dataSource(db.dataSource())
            .listener(
                ListenerDefinition.builder()
                    .name("audit-everything")
                    .topic(topics.create("audit", 1))
                    .group("audit")
                    .handler(d -> {})
                    .build())
            .build();
    assertThatThrownBy(() -> KeelComponents.consumers("audit", catchAll))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("audit-everything")
        .hasMessageContaining("event type");
  }
}
