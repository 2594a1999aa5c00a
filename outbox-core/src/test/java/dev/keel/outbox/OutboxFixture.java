package dev.keel.outbox;

import dev.keel.event.Event;
import dev.keel.test.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/** Shared setup of the outbox tests. */
public final class OutboxFixture {
  private OutboxFixture() {}

  /** An {@code order.placed} event of the given key and payload. */
  public static Event event(String topic, String key, String payload) {
    return event(topic, key, payload.getBytes(StandardCharsets.UTF_8));
  }

  /** An {@code order.placed} event whose payload is {@code size} zero bytes. */
  public static Event event(String topic, String key, int size) {
    return event(topic, key, new byte[size]);
  }

  private static Event event(String topic, String key, byte[] payload) {
    return Event.builder()
        .type("order.placed")
        .topic(topic)
        .key(key)
        .source("test")
        .payload(payload)
        .build();
  }

  /** Keys by lane: {@code keys[lane]} goes to that lane of the outbox, which has {@code lanes}. */
  public static String[] keyPerLane(Outbox outbox, int lanes) {
    String[] keys = new String[lanes];
    int found = 0;
    for (int i = 0; found < lanes; i++) {
      int lane = outbox.laneOf("k" + i);
      if (keys[lane] == null) {
        keys[lane] = "k" + i;
        found++;
      }
    }
    return keys;
  }

  static OutboxRelay.Builder relay(DataSource ds, KafkaBroker broker) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    return OutboxRelay.builder()
        .dataSource(ds)
        .producerProperties(props)
        .lanes(8)
        .pollInterval(Duration.ofMillis(200))
        .leaseDuration(Duration.ofSeconds(3))
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
        .closeTimeout(Duration.ofSeconds(10));
  }

  /** Work on one connection. */
  public interface SqlWork {
    void run(Connection c) throws SQLException;
  }

  /** Runs work in one transaction and commits it. */
  public static void inTx(DataSource ds, SqlWork work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      work.run(c);
      c.commit();
    }
  }
}
