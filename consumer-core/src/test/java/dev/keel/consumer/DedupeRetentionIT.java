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
import dev.keel.test.TestTime;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Dedupe rows older than the retention window are removed in small batches, per group, by {@link
 * ConsumerRuntime#cleanupNow} and by the background task. The batches are seen through a {@link
 * RecordingDataSource}: the update count of every DELETE the runtime runs.
 */
@KeelTest
class DedupeRetentionIT {

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now = new AtomicReference<>(TestTime.start());

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

  @Test
  void backgroundTaskRemovesExpiredRowsInBatches(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    backgroundTaskRemovesExpiredRows(broker, topics, db, "g-background-pg");
  }

  @Test
  void mariaDbBackgroundTaskRemovesExpiredRowsInBatches(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    backgroundTaskRemovesExpiredRows(broker, topics, db, "g-background-maria");
  }

  private static final int EVENTS = 25;
  private static final int BATCH = 7;

  private static void produce(KafkaBroker broker, String topic) {
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (int i = 0; i < EVENTS; i++) {
        Fixture.send(p, Fixture.event(topic, "k" + i, i), 1);
      }
      p.flush();
      Fixture.checkSent();
    }
  }

  private static ConsumerRuntime.Builder runtime(
      KafkaBroker broker,
      RecordingDataSource recording,
      MovableClock clock,
      SimpleMeterRegistry meters,
      String topic,
      String group) {
    return Fixture.runtime(broker, recording.dataSource())
        .clock(clock)
        .dedupeRetention(Duration.ofHours(1))
        .cleanupBatchSize(BATCH)
        .meterRegistry(meters)
        .listener(
            ListenerDefinition.builder()
                .topic(topic)
                .group(group)
                .payloadType(Item.class)
                .handler(d -> Fixture.insertEffect(d.connection(), d, 0))
                .build());
  }

  /** Rows removed by each DELETE on the dedupe table recorded so far, in order. */
  private static List<Long> deletes(RecordingDataSource recording) {
    return recording.executions().stream()
        .filter(e -> e.isDeleteFrom("consumer_dedupe"))
        .map(e -> e.error() == null ? e.updateCount() : -1L)
        .toList();
  }

  private void expiredRowsAreRemovedInBatches(
      KafkaBroker broker, Topics topics, IsolatedDatabase db, String group) throws Exception {
    String topic = topics.create("items", 1);
    Fixture.createEffectTable(db.dataSource());
    produce(broker, topic);
    MovableClock clock = new MovableClock();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RecordingDataSource recording = new RecordingDataSource(db.dataSource());
    try (ConsumerRuntime runtime =
        runtime(broker, recording, clock, meters, topic, group)
            .cleanupInterval(Duration.ofDays(1)) // only the explicit calls below
            .build()) {
      runtime.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> counter(meters, group, "processed") >= EVENTS);
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
      assertThat(deletes(recording)).containsExactly(0L);
      recording.clear();
      clock.advance(Duration.ofMinutes(61));
      assertThat(runtime.cleanupNow()).isEqualTo(EVENTS);
      // small batches: one statement per 7 rows, each removing at most 7
      assertThat(deletes(recording)).containsExactly(7L, 7L, 7L, 4L);
      assertThat(rows(db, group)).isZero();
      assertThat(rows(db, "other-group")).isEqualTo(1);
    }
  }

  /** No call to cleanupNow: the task of cleanupInterval removes the rows, in the same batches. */
  private void backgroundTaskRemovesExpiredRows(
      KafkaBroker broker, Topics topics, IsolatedDatabase db, String group) throws Exception {
    String topic = topics.create("items", 1);
    Fixture.createEffectTable(db.dataSource());
    produce(broker, topic);
    MovableClock clock = new MovableClock();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    RecordingDataSource recording = new RecordingDataSource(db.dataSource());
    try (ConsumerRuntime runtime =
        runtime(broker, recording, clock, meters, topic, group)
            .cleanupInterval(Duration.ofSeconds(1))
            .build()) {
      runtime.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> counter(meters, group, "processed") >= EVENTS);
      // the task runs, and removes nothing that is not expired
      await().atMost(Duration.ofSeconds(30)).until(() -> deletes(recording).size() >= 2);
      assertThat(rows(db, group)).isEqualTo(EVENTS);
      assertThat(deletes(recording)).containsOnly(0L);
      recording.clear();
      clock.advance(Duration.ofMinutes(61));
      // the last delete is recorded once its statement returned, which may be after the rows are
      // gone: wait for the recording, then check the table
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> deletes(recording).stream().mapToLong(Long::longValue).sum() >= EVENTS);
      assertThat(rows(db, group)).isZero();
      List<Long> deletes = deletes(recording);
      assertThat(deletes).allMatch(n -> n >= 0 && n <= BATCH);
      assertThat(deletes.stream().mapToLong(Long::longValue).sum()).isEqualTo(EVENTS);
      // a round that began before the clock moved removed nothing; the next one did the work
      assertThat(deletes.stream().filter(n -> n > 0)).containsExactly(7L, 7L, 7L, 4L);
      assertThat(runtime.isRunning()).isTrue();
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
