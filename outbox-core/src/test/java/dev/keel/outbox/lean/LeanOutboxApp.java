package dev.keel.outbox.lean;

import dev.keel.event.Event;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.OutboxRelay;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * An application of the outbox that knows only Keel's outbox, plain JDBC and H2's driver: run by
 * {@link HidingClassPath}, so it must touch nothing of keel-test, AssertJ or the hidden
 * dependencies. Its input and output are JDK types, shared by both class loaders.
 */
public final class LeanOutboxApp {
  private LeanOutboxApp() {}

  static DataSource h2() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(
        "jdbc:h2:mem:lean" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1");
    ds.setUser("sa");
    ds.setPassword("");
    return ds;
  }

  static Event event(String topic, int i) {
    return Event.builder()
        .type("order.placed")
        .topic(topic)
        .key("k" + i)
        .source("lean")
        .payload(("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))
        .build();
  }

  static List<String> append(DataSource ds, Outbox outbox, String topic, int count)
      throws SQLException {
    List<String> ids = new ArrayList<>();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      for (int i = 0; i < count; i++) {
        ids.add(outbox.append(c, event(topic, i)).toString());
      }
      c.commit();
    }
    return ids;
  }

  /** Installs the outbox table and appends through plain JDBC; returns the rows pending. */
  public static final class AppendThroughJdbc implements Function<Integer, Integer> {
    @Override
    public Integer apply(Integer count) {
      DataSource ds = h2();
      try {
        SchemaInstaller.builder().dataSource(ds).build().install("outbox");
        append(ds, Outbox.builder().lanes(8).build(), "orders", count);
        return (int) OutboxAdmin.create(ds, TableNames.defaults()).pending();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Starts a relay on H2 (its data source given, no pool of its own) and appends three events;
   * returns their ids and the running relay, which the caller closes.
   */
  public static final class RelayOnH2
      implements Function<Map<String, String>, Map.Entry<List<String>, AutoCloseable>> {
    @Override
    public Map.Entry<List<String>, AutoCloseable> apply(Map<String, String> kafka) {
      DataSource ds = h2();
      String topic = kafka.get("topic");
      Map<String, Object> producer = new HashMap<>(kafka);
      producer.remove("topic");
      OutboxRelay relay =
          OutboxRelay.builder()
              .dataSource(ds)
              .producerProperties(producer)
              .lanes(8)
              .pollInterval(Duration.ofMillis(200))
              .closeTimeout(Duration.ofSeconds(10))
              .build();
      relay.start();
      try {
        return Map.entry(append(ds, Outbox.builder().lanes(8).build(), topic, 3), relay);
      } catch (SQLException | RuntimeException e) {
        relay.close();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Starts a relay from a JDBC URL; returns the message of the error it fails with. */
  public static final class RelayFromJdbcUrl implements Function<String, String> {
    @Override
    public String apply(String bootstrapServers) {
      try (OutboxRelay relay =
          OutboxRelay.builder()
              .jdbcUrl("jdbc:h2:mem:lean", "sa", "")
              .producerProperties(Map.of("bootstrap.servers", bootstrapServers))
              .build()) {
        relay.start();
        return "started";
      } catch (RuntimeException e) {
        return e.getClass().getName() + ": " + e.getMessage();
      }
    }
  }
}
