package dev.keel.dlq.internal;

import dev.keel.event.RetriableKeelException;
import dev.keel.retry.spi.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Spaces actions at least {@code 1/rate} apart, measured on the clock and waited through the
 * sleeper (so tests can drive both). Thread-safe: callers queue on the monitor.
 */
final class Pacer {
  private final Duration interval;
  private final Clock clock;
  private final Sleeper sleeper;
  private Instant next;

  Pacer(double perSecond, Clock clock, Sleeper sleeper) {
    this.interval = Duration.ofNanos((long) (1_000_000_000L / perSecond));
    this.clock = clock;
    this.sleeper = sleeper;
  }

  synchronized void acquire() {
    Instant now = clock.instant();
    if (next != null && now.isBefore(next)) {
      try {
        sleeper.sleep(Duration.between(now, next));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RetriableKeelException("Interrupted while pacing a replay", e);
      }
      now = next.isAfter(clock.instant()) ? next : clock.instant();
    }
    next = now.plus(interval);
  }
}
