package dev.keel.benchmarks;

import dev.keel.event.Event;
import dev.keel.outbox.Outbox;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/** The benchmark's events: 256-byte payloads over 10,000 keys, appended through the real Outbox. */
final class Workload {
  static final int PAYLOAD_BYTES = 256;
  static final int KEYS = 10_000;
  static final byte[] PAYLOAD = payload();

  private Workload() {}

  private static byte[] payload() {
    byte[] p = new byte[PAYLOAD_BYTES];
    Arrays.fill(p, (byte) 'x');
    p[0] = '{';
    p[PAYLOAD_BYTES - 1] = '}';
    return p;
  }

  static Event event(String topic, int i) {
    return Event.builder()
        .type("bench.happened")
        .topic(topic)
        .key("key-" + (i % KEYS))
        .source("bench")
        .payload(PAYLOAD)
        .build();
  }

  /** Appends n events in transactions of 1,000, then vacuums so every run starts alike. */
  static void load(DataSource ds, Outbox outbox, String topic, int n) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      for (int start = 0; start < n; start += 1000) {
        List<Event> batch = new ArrayList<>(1000);
        for (int i = start; i < Math.min(n, start + 1000); i++) {
          batch.add(event(topic, i));
        }
        outbox.appendAll(c, batch);
        c.commit();
      }
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("VACUUM ANALYZE keel_outbox");
      }
    }
  }

  static long count(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM keel_outbox")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
