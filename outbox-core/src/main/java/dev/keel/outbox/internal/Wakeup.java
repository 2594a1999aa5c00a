package dev.keel.outbox.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A wake-up signal that is never lost: a signal before the wait ends the next wait at once. */
final class Wakeup {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition condition = lock.newCondition();
  private long generation;

  void signal() {
    lock.lock();
    try {
      generation++;
      condition.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A token to pass to {@link #await}, taken before looking for work. */
  long token() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until a signal newer than the token, or the timeout. */
  void await(long token, Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (generation == token && nanos > 0) {
        nanos = condition.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Sleeps for a backoff delay, cut short by a signal only when stopping. */
  static void sleep(Duration d) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(d.toNanos());
  }
}
