package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.outbox.OutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Scenario 6. Relay instances are scaled from 1 to 4 and back to 1 while events flow: lanes are
 * handed over several times, and per-key order holds across every hand-over.
 */
@KeelTest
class ScaleOutInIT {
  private static final int EVENTS = Scale.of("scale.events", 12_000, 400_000);
  private static final int RATE = Scale.of("scale.rate", 2_000, 4_000);

  @Test
  void perKeyOrderHoldsAcrossHandOvers(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    scenario(broker, topics, db, false);
  }

  /** The same with relays that claim behind cursors (PostgreSQL). */
  @Test
  void perKeyOrderHoldsAcrossHandOversWithCursorClaims(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    scenario(broker, topics, db, true);
  }

  private void scenario(
      KafkaBroker broker, Topics topics, IsolatedDatabase db, boolean cursorClaims)
      throws Exception {
    String topic = topics.create("scale", 6);
    AtomicInteger handOvers = new AtomicInteger();
    try (Pipeline p = new Pipeline(broker, topic, db)) {
      p.cursorClaims = cursorClaims;
      OutboxRelay first = p.startRelay();
      p.startConsumer();
      Workload load = new Workload(p, db.dataSource(), EVENTS, 1_000, 4, 0.0, RATE).start();
      for (int i = 0; i < 3; i++) {
        int step = i;
        await()
            .atMost(Duration.ofSeconds(120))
            .until(() -> load.attempted() >= EVENTS * (step + 1) / 8);
        p.startRelay(); // 2, 3, 4 instances
        handOvers.incrementAndGet();
      }
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> p.relays.stream().allMatch(r -> !r.ownedLanes().isEmpty()));
      for (int i = 0; i < 3; i++) {
        int step = i;
        await()
            .atMost(Duration.ofSeconds(120))
            .until(() -> load.attempted() >= EVENTS * (step + 5) / 8);
        OutboxRelay leaving = p.relays.stream().filter(r -> r != first).findFirst().orElseThrow();
        p.stop(leaving); // 3, 2, 1 instances
        handOvers.incrementAndGet();
      }
      load.join();
      boolean delivered = p.awaitDelivered(Duration.ofSeconds(60 + EVENTS / 500));
      DeliveryReport report = p.check();
      new Figures("6 relay instances scaled 1 -> 4 -> 1" + (cursorClaims ? ", cursor claims" : ""))
          .add("events appended", load.attempted())
          .add("membership changes", handOvers.get())
          .add("instances at the end", p.relays.size())
          .add("all delivered", delivered)
          .print(report);
      assertThat(report.ok()).as(report.toString()).isTrue();
      assertThat(p.relays).hasSize(1);
    }
  }
}
