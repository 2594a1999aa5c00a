package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.consumer.Fixture.Item;
import dev.keel.event.KeelMeters;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * A cleanup run goes on while its batches come back full, up to its row budget, and says so when
 * the budget ends with expired rows left; it is not capped at a fixed number of batches.
 */
@KeelTest
class DedupeCleanupBacklogIT {
  private static final String TABLE = "keel_consumer_dedupe";

  private static ConsumerRuntime.Builder runtime(
      KafkaBroker broker, IsolatedDatabase db, String topic, String group, SimpleMeterRegistry m) {
    return Fixture.runtime(broker, db.dataSource())
        .clock(Clock.fixed(Instant.now(), ZoneOffset.UTC))
        .dedupeRetention(Duration.ofHours(1))
        .cleanupInterval(Duration.ofDays(1)) // only the explicit calls below
        .meterRegistry(m)
        .listener(
            ListenerDefinition.builder()
                .topic(topic)
                .group(group)
                .payloadType(Item.class)
                .handler(d -> {})
                .build());
  }

  /** Rows of a group with processed_at two hours ago (expired) or now (kept). */
  private static void insert(IsolatedDatabase db, String group, int rows, boolean expired)
      throws Exception {
    Fixture.exec(
        db.dataSource(),
        "INSERT INTO "
            + TABLE
            + " (consumer_group, event_id, processed_at) SELECT '"
            + group
            + "', '"
            + (expired ? "old-" : "new-")
            + "' || g, now() - interval '"
            + (expired ? 2 : 0)
            + " hours' FROM generate_series(1, "
            + rows
            + ") g");
  }

  private static long rows(IsolatedDatabase db, String group) {
    return Fixture.count(
        db.dataSource(),
        "SELECT COUNT(*) FROM " + TABLE + " WHERE consumer_group = '" + group + "'");
  }

  private static double counter(SimpleMeterRegistry m, String name, String group) {
    return m.get(name).tag("group", group).counter().count();
  }

  @Test
  void aRunClearsABacklogLargerThanAHundredBatches(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        runtime(broker, db, topic, group, meters).cleanupBatchSize(1000).build()) {
      runtime.start();
      insert(db, group, 150_000, true);
      insert(db, group, 10, false);
      // 150 full batches of 1,000: one run removes all of them (it used to stop after 100)
      assertThat(runtime.cleanupNow()).isEqualTo(150_000);
      assertThat(rows(db, group)).isEqualTo(10);
      assertThat(counter(meters, KeelMeters.CONSUMER_DEDUPE_REMOVED, group)).isEqualTo(150_000);
      assertThat(counter(meters, KeelMeters.CONSUMER_DEDUPE_CLEANUP_INCOMPLETE, group)).isZero();
    }
  }

  @Test
  void aRunThatEndsAtItsBudgetWithRowsLeftSaysSo(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        runtime(broker, db, topic, group, meters)
            .cleanupBatchSize(1000)
            .cleanupMaxRowsPerRun(2500)
            .build()) {
      runtime.start();
      insert(db, group, 6000, true);
      assertThat(runtime.cleanupNow()).isEqualTo(2500);
      assertThat(counter(meters, KeelMeters.CONSUMER_DEDUPE_CLEANUP_INCOMPLETE, group))
          .isEqualTo(1);
      assertThat(runtime.cleanupNow()).isEqualTo(2500);
      assertThat(runtime.cleanupNow()).isEqualTo(1000); // a short batch: the backlog is cleared
      assertThat(counter(meters, KeelMeters.CONSUMER_DEDUPE_CLEANUP_INCOMPLETE, group))
          .isEqualTo(2);
      assertThat(counter(meters, KeelMeters.CONSUMER_DEDUPE_REMOVED, group)).isEqualTo(6000);
      assertThat(rows(db, group)).isZero();
    }
  }
}
