package dev.keel.dlq.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points in a replay or discard of a blocked key where a test can hold a thread, so that a
 * race is reproduced by schedule rather than by luck. Nothing is armed in production: {@link
 * #reach} then costs one read of an empty map. No transaction is open at any of the points.
 */
final class ReplayHooks {
  /** The points, in the order a replay or discard meets them. */
  enum Point {
    /** A replay sent a page of parked records, acknowledged, and has not recorded it yet. */
    PAGE_SENT,
    /** A replay recorded a page it sent and has not read the next one yet. */
    PAGE_RECORDED,
    /** A discard removed a page of parked records and has not read the next one yet. */
    PAGE_REMOVED
  }

  private static final Map<Point, Gate> ARMED = new ConcurrentHashMap<>();

  private ReplayHooks() {}

  /** Called by a replay or discard at a point: blocks while a test holds the point. */
  static void reach(Point point) {
    if (ARMED.isEmpty()) {
      return;
    }
    Gate gate = ARMED.get(point);
    if (gate != null) {
      gate.pass();
    }
  }

  /** Holds the next {@code times} threads that reach the point until {@link Gate#release}. */
  static Gate pause(Point point, int times) {
    Gate gate = new Gate(times);
    ARMED.put(point, gate);
    return gate;
  }

  /** Counts the threads that reach the point without holding them. */
  static Gate count(Point point) {
    return pause(point, 0);
  }

  /** Disarms every point and lets every held thread go. */
  static void reset() {
    ARMED.values().forEach(Gate::release);
    ARMED.clear();
  }

  /** One armed point. */
  static final class Gate {
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
    boolean awaitArrivals(int n, Duration timeout) throws InterruptedException {
      return arrivals.tryAcquire(n, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How many threads reached the point so far. */
    int passed() {
      return passed.get();
    }

    /** Lets the held threads, and every later one, go. */
    void release() {
      toHold.set(0);
      released.countDown();
    }
  }
}
