package dev.keel.retry.spi;

import java.time.Duration;

/**
 * Waits: the one place Keel's retry and dead-letter code blocks for time (in-place retry delays,
 * replay pacing), so that tests replace it with a fake that advances a controlled clock.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Blocks for the duration.
   *
   * @param duration how long; zero or negative returns at once
   * @throws InterruptedException when the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;

  /** {@link Thread#sleep(long)}. */
  static Sleeper system() {
    return d -> {
      if (!d.isNegative() && !d.isZero()) {
        Thread.sleep(d.toMillis(), d.getNano() % 1_000_000);
      }
    };
  }
}
