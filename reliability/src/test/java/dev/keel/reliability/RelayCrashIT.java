package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.outbox.OutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Scenario 1. Two relay instances; one of them is killed (no cleanup) at random points of the run
 * and replaced, while events flow over many keys. Nothing is lost, no effect is applied twice,
 * per-key order holds, and the raw duplicates stay within what the killed instances can have had in
 * flight: a worker claims one batch per owned lane in each pass and sends them before one flush, so
 * an instance has at most {@code batchSize} rows in flight per lane it owns.
 */
@KeelTest
class RelayCrashIT {
  private static final int EVENTS = Scale.of("crash.events", 10_000, 1_000_000);
  private static final int KILLS = Scale.of("crash.kills", 4, 20);
  private static final int KEYS = 10_000;

  @Test
  void killedRelayInstancesLoseNothingAndKeepOrder(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    scenario(broker, topics, db, false);
  }

  /** The same with relays that claim behind cursors (PostgreSQL). */
  @Test
  void killedRelayInstancesLoseNothingAndKeepOrderWithCursorClaims(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    scenario(broker, topics, db, true);
  }

  private void scenario(
      KafkaBroker broker, Topics topics, IsolatedDatabase db, boolean cursorClaims)
      throws Exception {
    String topic = topics.create("crash", 6);
    Random random = new Random(20260101);
    int lanesOfVictims = 0;
    try (Pipeline p = new Pipeline(broker, topic, db)) {
      p.cursorClaims = cursorClaims;
      p.startRelay();
      p.startRelay();
      p.startConsumer();
      long started = System.nanoTime();
      Workload load = new Workload(p, db.dataSource(), EVENTS, KEYS, 4, 0.0, 0).start();
      // kill points: random fractions of the events published, spread over the run
      double[] at = new double[KILLS];
      for (int i = 0; i < KILLS; i++) {
        at[i] = 0.05 + 0.85 * random.nextDouble();
      }
      Arrays.sort(at);
      for (double fraction : at) {
        long target = (long) (fraction * EVENTS);
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(120 + EVENTS / 500))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> p.logSize() >= target);
        OutboxRelay victim = p.relays.get(random.nextInt(p.relays.size()));
        lanesOfVictims += victim.ownedLanes().size();
        p.crash(victim);
        p.startRelay();
      }
      load.join();
      boolean delivered = p.awaitDelivered(Duration.ofSeconds(120 + EVENTS / 500));
      double seconds = (System.nanoTime() - started) / 1e9;
      DeliveryReport report = p.check();
      // lanes owned at the moment of each kill (a lane taken over just after is still counted once)
      long bound = (long) p.relayBatchSize * Math.max(lanesOfVictims, KILLS);
      new Figures("1 relay crash mid-batch" + (cursorClaims ? ", cursor claims" : ""))
          .add("events appended", load.attempted())
          .add("keys", KEYS)
          .add("relay instances", 2)
          .add("kills", KILLS)
          .add("batch size", p.relayBatchSize)
          .add("batch size x kills", (long) p.relayBatchSize * KILLS)
          .add("lanes owned by the victims when killed (sum)", lanesOfVictims)
          .add("raw duplicate bound (batch size x lanes owned by the victims)", bound)
          .add("all delivered", delivered)
          .add("run time s", seconds)
          .print(report);
      assertThat(report.ok()).as(report.toString()).isTrue();
      assertThat(report.committed()).isEqualTo(EVENTS);
      assertThat(report.rawDuplicates()).isLessThanOrEqualTo(bound);
    }
  }
}
