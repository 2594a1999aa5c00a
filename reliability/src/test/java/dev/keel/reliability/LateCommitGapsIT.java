package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Scenario 5. Under a steady load, some transactions hold their appended rows for a while before
 * committing (their ids are far below the ones already published) and others roll back (leaving id
 * gaps). No late-committed event is skipped, and per-key order holds.
 */
@KeelTest
class LateCommitGapsIT {
  private static final int EVENTS = Scale.of("late.events", 8_000, 300_000);
  private static final int STRAGGLERS = Scale.of("late.stragglers", 100, 4_000);

  @Test
  void lateCommitsAroundGapsAreNeverSkipped(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    scenario(broker, topics, db, false);
  }

  /** The same with relays that claim behind cursors (PostgreSQL). */
  @Test
  void lateCommitsAroundGapsAreNeverSkippedWithCursorClaims(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    scenario(broker, topics, db, true);
  }

  private void scenario(
      KafkaBroker broker, Topics topics, IsolatedDatabase db, boolean cursorClaims)
      throws Exception {
    String topic = topics.create("late", 4);
    try (Pipeline p = new Pipeline(broker, topic, db)) {
      p.cursorClaims = cursorClaims;
      p.startRelay();
      p.startRelay();
      p.startConsumer();
      Workload load = new Workload(p, db.dataSource(), EVENTS, 2_000, 3, 0.05, 0);
      load.lateCommitRate = 0.05;
      load.lateCommitDelay = Duration.ofMillis(200);
      // stragglers: every transaction stays open 1.5 s while the load publishes past it
      Workload late = new Workload(p, db.dataSource(), STRAGGLERS, 200, 2, 0.3, 0);
      late.keyPrefix = "late-";
      late.lateCommitRate = 1.0;
      late.lateCommitDelay = Duration.ofMillis(1500);
      load.start();
      late.start();
      load.join();
      late.join();
      boolean delivered = p.awaitDelivered(Duration.ofSeconds(60 + EVENTS / 500));
      DeliveryReport report = p.check();
      new Figures("5 late commits around id gaps" + (cursorClaims ? ", cursor claims" : ""))
          .add("events appended (load + stragglers)", load.attempted() + late.attempted())
          .add("straggler events, held 1.5 s", late.attempted())
          .add("all delivered", delivered)
          .print(report);
      assertThat(report.ok()).as(report.toString()).isTrue();
      assertThat(report.committed() + report.rolledBack()).isEqualTo(EVENTS + STRAGGLERS);
    }
  }
}
