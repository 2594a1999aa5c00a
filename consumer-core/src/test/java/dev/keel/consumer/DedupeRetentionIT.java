package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.event.sql.SqlDialect;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** Dedupe rows older than the retention window are removed in small batches, per group. */
@KeelTest
class DedupeRetentionIT {

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  @Test
  void expiredRowsAreRemovedInBatches(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    expiredRowsAreRemovedInBatches(broker, topics, db, "g-retention-pg");
  }

  @Test
  void mariaDbExpiredRowsAreRemovedInBatches(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    expiredRowsAreRemovedInBatches(broker, topics, db, "g-retention-maria");
  }

  @Test
  void h2ExpiredRowsAreRemovedInBatches(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.H2) IsolatedDatabase db)
      throws Exception {
    expiredRowsAreRemovedInBatches(broker, topics, db, "g-retention-h2");
  }

  private void expiredRowsAreRemovedInBatches(
      KafkaBroker broker, Topics topics, IsolatedDatabase db, String group) throws Exception {
    String topic = topics.create("items", 1);
    Fixture.createEffectTable(db.dataSource());
    int events = 25;
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (int i = 0; i < events; i++) {
        Fixture.send(p, Fixture.event(topic, "k" + i, i), 1);
      }
      p.flush();
    }
    MovableClock clock = new MovableClock();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .clock(clock)
            .dedupeRetention(Duration.ofHours(1))
            .cleanupBatchSize(7)
            .meterRegistry(meters)
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group(group)
                    .payloadType(Item.class)
                    .handler(d -> Fixture.insertEffect(d.connection(), d, 0))
                    .build())
            .build()) {
      runtime.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> counter(meters, group, "processed") >= events);
      // another group's row, which this runtime must leave alone
      String t = table(db);
      Fixture.exec(
          db.dataSource(),
          "INSERT INTO "
              + t
              + " (consumer_group, event_id, processed_at)"
              + " SELECT 'other-group', event_id, processed_at FROM "
              + t
              + " WHERE consumer_group = '"
              + group
              + "' AND event_id = '"
              + anyEventId(db, group)
              + "'");

      assertThat(runtime.cleanupNow()).isZero(); // nothing is older than an hour yet
      clock.advance(Duration.ofMinutes(61));
      assertThat(runtime.cleanupNow()).isEqualTo(events);
      assertThat(rows(db, group)).isZero();
      assertThat(rows(db, "other-group")).isEqualTo(1);
    }
  }

  private static String table(IsolatedDatabase db) {
    return SqlDialect.detect(db.dataSource()).quote("keel_consumer_dedupe");
  }

  private static String anyEventId(IsolatedDatabase db, String group) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT MIN(event_id) FROM "
                    + table(db)
                    + " WHERE consumer_group = '"
                    + group
                    + "'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long rows(IsolatedDatabase db, String group) {
    return Fixture.count(
        db.dataSource(),
        "SELECT COUNT(*) FROM " + table(db) + " WHERE consumer_group = '" + group + "'");
  }
}
