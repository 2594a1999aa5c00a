package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Scenario 7. Three consumer instances of one group; every few seconds one of them leaves and a new
 * one joins (a rebalance each time), while a tenth of the records is delivered again by a
 * duplicating producer. The effect table holds exactly the committed events, once each.
 */
@KeelTest
class RebalanceDuplicatesIT {
  private static final int EVENTS = Scale.of("rebalance.events", 8_000, 300_000);
  private static final int RATE = Scale.of("rebalance.rate", 1_000, 3_000);
  private static final long REBALANCE_EVERY_MS = 2_500;

  @Test
  void effectsEqualTheCommittedSetExactly(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("rebalance", 6);
    Random random = new Random(7);
    int rebalances = 0;
    try (Pipeline p = new Pipeline(broker, topic, db)) {
      p.consumerThreads = 1;
      p.startRelay();
      for (int i = 0; i < 3; i++) {
        p.startConsumer();
      }
      Workload load = new Workload(p, db.dataSource(), EVENTS, 1_000, 3, 0.0, RATE).start();
      Duplicator duplicator = new Duplicator(broker, topic, 0.10, 11);
      try (duplicator) {
        while (!load.isDone()) {
          Thread.sleep(REBALANCE_EVERY_MS); // pacing of the fault, not synchronization
          ConsumerRuntime leaving = p.consumers.get(random.nextInt(p.consumers.size()));
          p.stop(leaving);
          p.startConsumer();
          rebalances++;
        }
        p.awaitDelivered(Duration.ofSeconds(60 + EVENTS / 500));
      }
      // the last copies the duplicator wrote must be consumed (as duplicates) too
      boolean delivered = p.awaitDelivered(Duration.ofSeconds(60));
      p.awaitGroupCaughtUp(Duration.ofSeconds(60));
      DeliveryReport report = p.check();
      new Figures("7 duplicate delivery and consumer rebalances")
          .add("events appended", load.attempted())
          .add("consumer instances", 3)
          .add("rebalances (leave + join)", rebalances * 2)
          .add("copies written by the duplicating producer", duplicator.copies())
          .add("all delivered", delivered)
          .print(report);
      assertThat(report.ok()).as(report.toString()).isTrue();
      assertThat(report.effectRows()).isEqualTo(report.committed());
      assertThat(report.rawDuplicates()).isGreaterThan(0);
    }
  }
}
