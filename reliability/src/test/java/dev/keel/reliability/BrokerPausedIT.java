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
 * Scenario 2, paused. The broker stops answering mid-run while business transactions go on: it
 * keeps running with all its state, but its clients (relay, consumer, the log recorder) get no
 * answer and their connections stay open, as with a long GC pause or a stopped process ({@link
 * KafkaBroker#pause()}: the clients reach the broker through a forwarder it advertises, which stops
 * reading and writing). Then it answers again. Nothing is lost, nothing reaches the log or the
 * effects while it is paused, the heap does not grow with the backlog, and everything committed by
 * the resume is published and consumed within 30 s of it, without restarting the relay or the
 * consumer.
 */
@KeelTest
class BrokerPausedIT {
  private static final int PAUSE_SECONDS = Scale.of("broker.pause.seconds", 5, 30);
  private static final int RATE = 500;

  /**
   * The least time after the pause before the counts are read: what the clients had already
   * received is handled by then or soon after (the test then waits for the counts to settle).
   */
  private static final Duration SETTLE = Duration.ofSeconds(2);

  /** The producers' buffer.memory (32 MiB each) is the designed ceiling; well above any leak. */
  private static final long HEAP_GROWTH_LIMIT = 128L << 20;

  @Test
  void nothingLostAndRecoveryWithin30SecondsOfResume(IsolatedDatabase db) throws Exception {
    try (KafkaBroker broker = KafkaBroker.startEmbeddedPausable(Map.of())) {
      broker.createTopic("brokerpaused", 3);
      try (Pipeline p = new Pipeline(broker, "brokerpaused", db)) {
        p.startForBrokerOutage();
        int events = RATE * (PAUSE_SECONDS + 10);
        Workload load = new Workload(p, db.dataSource(), events, 500, 2, 0.0, RATE).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> p.distinctEffects() > RATE);
        long heapBefore = Pipeline.usedHeapAfterGc();
        broker.pause();
        long pausedAt = System.nanoTime();
        await()
            .atMost(SETTLE.plusSeconds(30))
            .until(() -> System.nanoTime() - pausedAt >= SETTLE.toNanos());
        // records fetched before the pause may still be in hand after it: the counts settle once
        // two readings a second apart agree, however slow the machine
        long[] last = {-1, -1};
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> {
                  long[] now = {p.distinctEffects(), p.logSize()};
                  boolean same = now[0] == last[0] && now[1] == last[1];
                  last[0] = now[0];
                  last[1] = now[1];
                  return same;
                });
        long effectsSettled = last[0];
        int logSettled = (int) last[1];
        await()
            .atMost(Duration.ofSeconds(PAUSE_SECONDS + 30))
            .until(() -> System.nanoTime() - pausedAt >= PAUSE_SECONDS * 1_000_000_000L);
        long effectsWhilePaused = p.distinctEffects() - effectsSettled;
        int logWhilePaused = p.logSize() - logSettled;
        int appendedDuringPause = load.attempted();
        long heapDuringPause = Pipeline.usedHeapAfterGc();
        long committedAtResume = p.committedCount();
        long backlog = committedAtResume - p.distinctEffects();
        broker.resume();
        long resumedAt = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .until(
                () ->
                    p.distinctEffects() >= committedAtResume
                        && p.logDistinct() >= committedAtResume);
        double recovery = (System.nanoTime() - resumedAt) / 1e9;
        load.join();
        boolean delivered = p.awaitDelivered(Duration.ofSeconds(60));
        DeliveryReport report = p.check();
        new Figures("2b broker paused mid-run")
            .add("events appended", load.attempted())
            .add("pause s", PAUSE_SECONDS)
            .add("appended by the end of the pause", appendedDuringPause)
            .add(
                "log records / effects while paused (after the counts settled)",
                logWhilePaused + " / " + effectsWhilePaused)
            .add("committed at resume", committedAtResume)
            .add("backlog at resume (committed, no effect yet)", backlog)
            .add(
                "heap after GC before / at end of pause MiB",
                heapBefore / (1 << 20) + " / " + heapDuringPause / (1 << 20))
            .add("time to recover s (all committed at resume published and consumed)", recovery)
            .add("all delivered", delivered)
            .print(report);
        assertThat(report.ok()).as(report.toString()).isTrue();
        assertThat(report.committed()).isEqualTo(events);
        assertThat(logWhilePaused).as("records read while paused").isZero();
        assertThat(effectsWhilePaused).as("effects while paused").isZero();
        assertThat(backlog).as("a backlog built up during the pause").isPositive();
        assertThat(heapDuringPause - heapBefore).isLessThan(HEAP_GROWTH_LIMIT);
      }
    }
  }
}
