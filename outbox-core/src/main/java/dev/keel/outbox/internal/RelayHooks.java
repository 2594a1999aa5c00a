package dev.keel.outbox.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points in the relay's commit-order fence where a test can hold a thread, so that a race is
 * reproduced by schedule rather than by luck. Nothing is armed in production: {@link #reach} then
 * costs one read of an empty map.
 */
final class RelayHooks {
  /** The points, in the order a lane meets them. */
  enum Point {
    /** The horizon sampler took its number and is about to query. */
    SAMPLE_STARTED,
    /** The horizon sampler read its bound and xmin and has not recorded them yet. */
    SAMPLE_QUERIED,
    /** A horizon sample was recorded. */
    SAMPLE_RECORDED,
    /** A worker is about to settle its lanes' fences and claim their next rows. */
    CLAIM_STARTED,
    /** MySQL: a worker read a lane's ids at READ UNCOMMITTED and not its committed rows yet. */
    UNCOMMITTED_READ,
    /** A worker read its lanes' next rows and moved their safe ids. */
    CLAIM_DONE,
    /** A worker removed a batch and noted the lane's new last id. */
    BATCH_SETTLED,
    /** MySQL, markPublished: rows were copied to the published table and not deleted yet. */
    MARKED_NOT_DELETED
  }

  private static final Map<Point, Gate> ARMED = new ConcurrentHashMap<>();

  private RelayHooks() {}

  /** Called by the relay at a point: blocks while a test holds the point. */
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
