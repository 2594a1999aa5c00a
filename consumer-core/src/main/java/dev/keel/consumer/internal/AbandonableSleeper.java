package dev.keel.consumer.internal;

import dev.keel.retry.spi.Sleeper;
import java.time.Duration;

/**
 * Waits retry delays in slices and gives up (with an {@link InterruptedException}) as soon as the
 * record being retried on this thread is abandoned: its partition was revoked or the runtime is
 * closing. A retry never holds a partition its consumer no longer owns. Thread-safe.
 */
final class AbandonableSleeper implements Sleeper {
  private static final Duration SLICE = Duration.ofMillis(50);
  private final Sleeper delegate;
  private final ThreadLocal<Work> current = new ThreadLocal<>();

  AbandonableSleeper(Sleeper delegate) {
    this.delegate = delegate;
  }

  void enter(Work w) {
    current.set(w);
  }

  void leave() {
    current.remove();
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    Work w = current.get();
    Duration left = duration;
    while (!left.isNegative() && !left.isZero()) {
      if (w != null && w.abandoned()) {
        throw new InterruptedException("record abandoned");
      }
      Duration slice = left.compareTo(SLICE) > 0 ? SLICE : left;
      delegate.sleep(slice);
      left = left.minus(slice);
    }
    if (w != null && w.abandoned()) {
      throw new InterruptedException("record abandoned");
    }
  }
}
