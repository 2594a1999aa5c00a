package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 2. The broker is stopped mid-run while business transactions go on, then started again
 * on the same port. Nothing is lost, the heap does not grow with the backlog (the backlog stays in
 * the outbox table), and everything committed so far is published and consumed within 30 s of the
 * broker's return, without restarting the relay or the consumer.
 */
@KeelTest
class BrokerDownIT {
  private static final int OUTAGE_SECONDS = Scale.of("broker.outage.seconds", 5, 30);
  private static final int RATE = 500;

  /** The producers' buffer.memory (32 MiB each) is the designed ceiling; well above any leak. */
  private static final long HEAP_GROWTH_LIMIT = 128L << 20;

  @Test
  void nothingLostAndRecoveryWithin30Seconds(IsolatedDatabase db) throws Exception {
    try (KafkaBroker broker = KafkaBroker.startEmbedded(Map.of())) {
      broker.createTopic("brokerdown", 3);
      try (Pipeline p = new Pipeline(broker, "brokerdown", db)) {
        p.startForBrokerOutage();
        int events = RATE * (OUTAGE_SECONDS + 10);
        Workload load = new Workload(p, db.dataSource(), events, 500, 2, 0.0, RATE).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> p.distinctEffects() > RATE);
        long heapBefore = Pipeline.usedHeapAfterGc();
        broker.stop();
        long stoppedAt = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(OUTAGE_SECONDS + 30))
            .until(() -> System.nanoTime() - stoppedAt >= OUTAGE_SECONDS * 1_000_000_000L);
        int appendedDuringOutage = load.attempted();
        long heapDuringOutage = Pipeline.usedHeapAfterGc();
        broker.restart();
        long restartedAt = System.nanoTime();
        long committedAtReturn = p.committedCount();
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .until(
                () ->
                    p.distinctEffects() >= committedAtReturn
                        && p.logDistinct() >= committedAtReturn);
        double recovery = (System.nanoTime() - restartedAt) / 1e9;
        load.join();
        boolean delivered = p.awaitDelivered(Duration.ofSeconds(60));
        DeliveryReport report = p.check();
        new Figures("2 broker down mid-run")
            .add("events appended", load.attempted())
            .add("outage s", OUTAGE_SECONDS)
            .add("appended by the end of the outage", appendedDuringOutage)
            .add("backlog at return (committed)", committedAtReturn)
            .add(
                "heap after GC before / at end of outage MiB",
                heapBefore / (1 << 20) + " / " + heapDuringOutage / (1 << 20))
            .add("time to recover s (all committed at return published and consumed)", recovery)
            .add("all delivered", delivered)
            .print(report);
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.committed()).isEqualTo(events);
        assertThat(heapDuringOutage - heapBefore).isLessThan(HEAP_GROWTH_LIMIT);
      }
    }
  }
}
