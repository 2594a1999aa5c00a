package dev.keel.event.support;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points in a component where a test can hold a thread, so that a race is reproduced by
 * schedule rather than by luck (the relay's fence, a dead-letter replay). Nothing is armed in
 * production: {@link #reach} then costs one read of an empty map.
 *
 * @param <P> the component's points
 */
public final class PausePoints<P extends Enum<P>> {
  private final Map<P, Gate> armed = new ConcurrentHashMap<>();

  /** Called by the component at a point: blocks while a test holds the point. */
  public void reach(P point) {
    if (armed.isEmpty()) {
      return;
    }
    Gate gate = armed.get(point);
    if (gate != null) {
      gate.pass();
    }
  }

  /** Holds the next {@code times} threads that reach the point until {@link Gate#release}. */
  public Gate pause(P point, int times) {
    Gate gate = new Gate(times);
    armed.put(point, gate);
    return gate;
  }

  /** Counts the threads that reach the point without holding them. */
  public Gate count(P point) {
    return pause(point, 0);
  }

  /** Disarms every point and lets every held thread go. */
  public void reset() {
    armed.values().forEach(Gate::release);
    armed.clear();
  }

  /** One armed point. */
  public static final class Gate {
    private final AtomicInteger toHold;
    private final Semaphore arrivals = new Semaphore(0);
    private final AtomicInteger passed = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);

    private Gate(int times) {
      this.toHold = new AtomicInteger(times);
    }

    private void pass() {
      passed.incrementAndGet();
      boolean hold = toHold.getAndDecrement() > 0;
      arrivals.release();
      if (hold) {
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** Waits until {@code n} more threads reached the point; false when the time ran out. */
    public boolean awaitArrivals(int n, Duration timeout) throws InterruptedException {
      return arrivals.tryAcquire(n, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How many threads reached the point so far. */
    public int passed() {
      return passed.get();
    }

    /** Lets the held threads, and every later one, go. */
    public void release() {
      toHold.set(0);
      released.countDown();
    }
  }
}
