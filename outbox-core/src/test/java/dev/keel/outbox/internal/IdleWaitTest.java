package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** How long an idle worker waits after a pass that found nothing ({@link LaneWorker#idleWait}). */
class IdleWaitTest {
  private static final Duration POLL = Duration.ofMillis(500);

  @Test
  void aQuickEmptyPassWaitsThePollInterval() {
    assertThat(LaneWorker.idleWait(POLL, Duration.ofMillis(2).toNanos())).isEqualTo(POLL);
    assertThat(LaneWorker.idleWait(POLL, 0)).isEqualTo(POLL);
    assertThat(LaneWorker.idleWait(POLL, -5)).isEqualTo(POLL);
  }

  @Test
  void aSlowEmptyPassWaitsNineTimesAsLong() {
    assertThat(LaneWorker.idleWait(POLL, Duration.ofMillis(100).toNanos()))
        .isEqualTo(Duration.ofMillis(900));
  }

  @Test
  void theWaitIsAtMostTenPollIntervals() {
    // the empty claim measured while one transaction held a million appended rows
    assertThat(LaneWorker.idleWait(POLL, Duration.ofMillis(1500).toNanos()))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(LaneWorker.idleWait(POLL, Long.MAX_VALUE)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aPollIntervalBeyondNanosecondsDoesNotOverflow() {
    Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
    assertThat(LaneWorker.idleWait(huge, 1)).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
    Duration large = Duration.ofNanos(Long.MAX_VALUE / 3);
    assertThat(LaneWorker.idleWait(large, Long.MAX_VALUE))
        .isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
  }

  /**
   * Never shorter than the poll interval, never longer than ten; and unless capped, empty passes
   * take at most a tenth of an idle worker's time.
   */
  @Property
  void boundsAndDutyCycle(
      @ForAll @LongRange(min = 1, max = 3_600_000) long pollMillis,
      @ForAll @LongRange(min = 0, max = 3_600_000_000_000L) long passNanos) {
    Duration poll = Duration.ofMillis(pollMillis);
    long wait = LaneWorker.idleWait(poll, passNanos).toNanos();
    assertThat(wait).isBetween(poll.toNanos(), poll.toNanos() * LaneWorker.MAX_IDLE_POLLS);
    if (wait < poll.toNanos() * LaneWorker.MAX_IDLE_POLLS) {
      assertThat((double) passNanos / (passNanos + wait)).isLessThanOrEqualTo(0.1);
    }
  }
}
