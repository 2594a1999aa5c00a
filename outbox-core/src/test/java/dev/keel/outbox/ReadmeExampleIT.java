package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.json.JsonCodec;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The module README's example, compiled and run (the README copies this code). */
@KeelTest
class ReadmeExampleIT {

  record OrderPlaced(String orderId, BigDecimal total) {}

  /** The README's append: the order and its event in one transaction. */
  static void placeOrder(DataSource dataSource, Outbox outbox, String topic, OrderPlaced order)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO orders (id, total) VALUES (?, ?)")) {
        ps.setString(1, order.orderId());
        ps.setBigDecimal(2, order.total());
        ps.executeUpdate(); // the business change
      }
      outbox.append( // the fact, in the same transaction
          c,
          Event.builder()
              .type("order.placed")
              .topic(topic)
              .key(order.orderId()) // the aggregate id: Kafka orders by it
              .source("order-service")
              .payloadJson(order)
              .build());
      c.commit(); // both or neither
    }
  }

  @Test
  void appendInTheTransactionAndTheRelayPublishes(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("orders", 4);
    DataSource dataSource = db.dataSource();
    try (Connection c = dataSource.getConnection()) {
      c.createStatement().execute("CREATE TABLE orders (id varchar(64), total numeric(12, 2))");
    }
    Map<String, Object> kafka = Map.copyOf(broker.clientProperties());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    Outbox outbox = Outbox.builder().lanes(16).requireKey(topic).build(); // one per application
    try (OutboxRelay relay =
            OutboxRelay.builder()
                .dataSource(dataSource)
                .producerProperties(kafka) // bootstrap.servers, security: passed through
                .lanes(16) // the Outbox's
                .meterRegistry(registry)
                .build();
        TopicReader reader = new TopicReader(broker, topic)) {
      relay.start(); // installs the tables unless createSchema(false); shares lanes with peers
      placeOrder(dataSource, outbox, topic, new OrderPlaced("o-1", new BigDecimal("12.50")));

      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 1);
      Event published = reader.events().get(0);
      assertThat(published.key()).contains("o-1");
      assertThat(JsonCodec.create().decode(published.payload(), OrderPlaced.class))
          .isEqualTo(new OrderPlaced("o-1", new BigDecimal("12.50")));
      assertThat(OutboxAdmin.create(dataSource, dev.keel.event.sql.TableNames.defaults()).pending())
          .isZero();
    }
  }
}
