package dev.keel.examples;

import dev.keel.event.Event;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.test.Database;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Keel in one minute: orders are written together with their {@code order.placed} events in one
 * transaction; one order's transaction rolls back; the relay publishes what committed; a consumer
 * prints what arrived. Runs on the embedded broker and PostgreSQL (or {@code KEEL_KAFKA_BOOTSTRAP}
 * / {@code KEEL_JDBC_URL}).
 */
public final class QuickstartDemo {
  /** The demo's topic. */
  static final String TOPIC = "quickstart.orders";

  /** The payload of {@code order.placed}. */
  public record OrderPlaced(String orderId, String customer, BigDecimal total) {}

  private QuickstartDemo() {}

  /**
   * Runs the demo and exits 0 when every committed event, and no rolled-back one, arrived.
   *
   * @param args none
   */
  public static void main(String[] args) throws Exception {
    System.out.println("Keel quickstart: starting Kafka and PostgreSQL...");
    int code;
    try (KafkaBroker kafka = KafkaBroker.start();
        Database postgres = Database.postgres();
        IsolatedDatabase db = postgres.createIsolated("quickstart")) {
      System.out.println("  Kafka:      " + kafka.describe());
      System.out.println("  PostgreSQL: " + postgres.describe());
      kafka.createTopic(TOPIC, 3);
      code = run(kafka, db.dataSource());
    }
    System.exit(code);
  }

  static int run(KafkaBroker kafka, DataSource ds) throws Exception {
    JsonCodec json = JsonCodec.create();
    Outbox outbox = Outbox.builder().requireKey(TOPIC).build();
    try (OutboxRelay relay =
        OutboxRelay.builder()
            .database(KeelDatabase.builder().dataSource(ds).build())
            .kafka(KeelKafka.builder().properties(kafka.clientProperties()).build())
            .outbox(outbox)
            .build()) {
      relay.start();
      try (Connection c = ds.getConnection();
          Statement st = c.createStatement()) {
        st.execute(
            "create table orders(id text primary key, customer text not null, total numeric not null)");
      }
      List<UUID> committed = new ArrayList<>();
      String[][] orders = {
        {"o-1", "ada", "12.50"},
        {"o-2", "grace", "99.00"},
        {"o-3", "linus", "7.25"},
        {"o-4", "barbara", "42.00"}
      };
      for (String[] o : orders) {
        boolean rollback = o[0].equals("o-3");
        try (Connection c = ds.getConnection()) {
          c.setAutoCommit(false);
          try (PreparedStatement ps = c.prepareStatement("insert into orders values (?, ?, ?)")) {
            ps.setString(1, o[0]);
            ps.setString(2, o[1]);
            ps.setBigDecimal(3, new BigDecimal(o[2]));
            ps.executeUpdate();
          }
          UUID id =
              outbox.append(
                  c,
                  Event.builder()
                      .type("order.placed")
                      .topic(TOPIC)
                      .key(o[0])
                      .source("order-service")
                      .payloadJson(new OrderPlaced(o[0], o[1], new BigDecimal(o[2])))
                      .build());
          if (rollback) {
            c.rollback();
            System.out.printf(
                "  order %s: transaction rolled back (event %s must never reach Kafka)%n",
                o[0], id);
          } else {
            c.commit();
            committed.add(id);
            System.out.printf("  order %s: committed with event %s%n", o[0], id);
          }
        }
      }
      return consume(kafka, json, committed);
    }
  }

  private static int consume(KafkaBroker kafka, JsonCodec json, List<UUID> committed)
      throws SQLException {
    Map<String, Object> props = new HashMap<>(kafka.clientProperties());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "quickstart");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<UUID> seen = new ArrayList<>();
    System.out.println("Consumed from Kafka topic '" + TOPIC + "':");
    System.out.printf(
        "  %-36s  %-12s  %-5s  %-8s  %s%n", "keel-event-id", "type", "key", "customer", "total");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.size() < committed.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          Event e = KafkaRecords.toEvent(r);
          OrderPlaced o = json.decode(e.payload(), OrderPlaced.class);
          seen.add(e.id());
          System.out.printf(
              "  %-36s  %-12s  %-5s  %-8s  %s%n",
              e.id(), e.type(), e.key().orElse(""), o.customer(), o.total());
        }
      }
    }
    boolean ok = seen.size() == committed.size() && seen.containsAll(committed);
    System.out.println(
        ok
            ? "OK: "
                + committed.size()
                + " committed events published once each; the rolled-back one never was."
            : "FAILED: expected " + committed + " but consumed " + seen);
    return ok ? 0 : 1;
  }
}
