package dev.keel.compat.boot;

import static dev.keel.compat.boot.Versions.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.event.Event;
import dev.keel.event.KeelMeters;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.examples.fulfillment.FulfillmentSystem;
import dev.keel.examples.fulfillment.Scenario;
import dev.keel.examples.fulfillment.Sql;
import dev.keel.outbox.JooqOutbox;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaView;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Keel's flows on Spring Boot 4.0.7's versions of kafka-clients, Micrometer, Jackson, HikariCP,
 * jOOQ and JUnit ({@link BootVersionsTest} proves they are on the class path), against keel-test's
 * embedded broker (Kafka 4.4.0 in a class loader of its own) and embedded PostgreSQL.
 */
@KeelTest
class KeelUnderBootIT {

  /** The application's clients are Boot's kafka-clients; the broker is keel-test's own Kafka. */
  @Test
  void bootsClientsTalkToTheEmbeddedBrokerOfItsOwnVersion(KafkaBroker broker) throws Exception {
    assertThat(Versions.kafkaClients()).isEqualTo(expected("boot.kafka-clients"));
    assertThat(broker.describe()).contains("Kafka " + expected("keel.broker.kafka") + " broker");
  }

  /**
   * Compressed batches from Boot's clients: the broker decompresses them with its own codecs (in
   * its class loader), the consumer with the application's; both load native code in one JVM.
   */
  @Test
  void compressedBatchesPassBothClassLoaders(KafkaBroker broker, Topics topics) throws Exception {
    String topic = topics.create("compressed", 1);
    List<String> sent = new ArrayList<>();
    try (TopicRecorder<String> out =
        new TopicRecorder<>(broker, topic, r -> new String(r.value(), StandardCharsets.UTF_8))) {
      for (String codec : List.of("zstd", "lz4", "snappy", "gzip")) {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
          for (int i = 0; i < 3; i++) {
            String value = codec + "-" + i + "-" + "x".repeat(200);
            sent.add(value);
            producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8)));
          }
          producer.flush();
        }
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> out.size() >= sent.size());
      assertThat(out.values()).containsExactlyElementsOf(sent);
    }
  }

  /**
   * The order-fulfillment example end to end: orders and their events appended in one transaction,
   * the relay publishing them, idempotent consumers skipping four redelivered events by their
   * dedupe rows, a notification dead-lettered and replayed after the fix, sagas that complete and
   * sagas that compensate. Checked against the database, as the example's own test does.
   */
  @Test
  void theFulfillmentExampleEndsAsPlanned(KafkaBroker kafka, IsolatedDatabase db) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Scenario.Result result;
    try (FulfillmentSystem system =
        FulfillmentSystem.start(
            kafka.clientProperties(), db.dataSource(), new SimpleMeterRegistry())) {
      result =
          new Scenario(
                  system,
                  kafka.clientProperties(),
                  new PrintStream(printed, true, StandardCharsets.UTF_8))
              .run();
      assertThat(result.problems()).isEmpty();
      DataSource ds = db.dataSource();

      // sagas: completed, compensated after a declined payment, compensated for missing stock
      assertThat(saga(system, ds, "o-1001").state()).isEqualTo(SagaState.COMPLETED);
      assertThat(saga(system, ds, "o-1002").state()).isEqualTo(SagaState.COMPENSATED);
      assertThat(saga(system, ds, "o-1003").state()).isEqualTo(SagaState.COMPENSATED);
      for (String o : List.of("o-1004", "o-1005", "o-1006")) {
        assertThat(saga(system, ds, o).state()).as(o).isEqualTo(SagaState.COMPLETED);
      }
      assertThat(Sql.column(ds, "SELECT order_id FROM shipping_shipment ORDER BY order_id"))
          .containsExactly("o-1001", "o-1004", "o-1005", "o-1006");
      assertThat(
              Sql.column(
                  ds,
                  "SELECT order_id || ':' || state FROM inventory_reservation ORDER BY order_id"))
          .containsExactly(
              "o-1001:RESERVED",
              "o-1002:RELEASED",
              "o-1004:RESERVED",
              "o-1005:RESERVED",
              "o-1006:RESERVED");

      // dedupe: one notification per fact despite the redeliveries
      assertThat(
              Sql.count(
                  ds, "SELECT COUNT(*) FROM notifications_message WHERE kind = 'order.placed'"))
          .isEqualTo(6);
      assertThat(
              system
                  .meters()
                  .find(KeelMeters.CONSUMER_RECORDS)
                  .tag("result", "duplicate")
                  .counters()
                  .stream()
                  .mapToDouble(c -> c.count())
                  .sum())
          .isGreaterThanOrEqualTo(4);

      // the dead letter, replayed after the fix
      List<DeadLetter> dead = system.deadLetters().list(DeadLetterQuery.all());
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).status()).isEqualTo(DeadLetterStatus.REPLAYED);
      assertThat(dead.get(0).keyText()).isEqualTo("o-1004");
      assertThat(
              Sql.value(
                  ds,
                  "SELECT body FROM notifications_message"
                      + " WHERE order_id = 'o-1004' AND kind = 'order.placed'"))
          .startsWith("Merci");
    }
    assertThat(result.orders()).hasSize(6);
  }

  record OrderPlaced(String orderId, BigDecimal total) {}

  /** The outbox's jOOQ entry point on Boot's jOOQ, published by the relay. */
  @Test
  void appendThroughJooqAndTheRelayPublishes(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("orders", 2);
    DataSource ds = db.dataSource();
    Outbox outbox = Outbox.builder().requireKey(topic).build();
    JsonCodec json = JsonCodec.create();
    try (OutboxRelay relay =
            OutboxRelay.builder()
                .dataSource(ds)
                .producerProperties(Map.copyOf(broker.clientProperties()))
                .meterRegistry(new SimpleMeterRegistry())
                .build();
        TopicRecorder<Event> out = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      relay.start();
      UUID id;
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        id =
            JooqOutbox.append(
                outbox,
                DSL.using(c, SQLDialect.POSTGRES),
                Event.builder()
                    .type("order.placed")
                    .topic(topic)
                    .key("o-1")
                    .source("order-service")
                    .payloadJson(new OrderPlaced("o-1", new BigDecimal("12.50")))
                    .build());
        c.commit();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> out.size() >= 1);
      Event published = out.values().get(0);
      assertThat(published.id()).isEqualTo(id);
      assertThat(json.decode(published.payload(), OrderPlaced.class))
          .isEqualTo(new OrderPlaced("o-1", new BigDecimal("12.50")));
    }
  }

  private static SagaView saga(FulfillmentSystem system, DataSource ds, String orderId)
      throws Exception {
    String id = Sql.value(ds, "SELECT saga_id FROM orders_order WHERE id = ?", orderId);
    return system.orchestrator().admin().byId(UUID.fromString(id)).orElseThrow();
  }
}
