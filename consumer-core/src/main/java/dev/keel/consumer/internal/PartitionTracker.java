package dev.keel.consumer.internal;

import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;

/**
 * Progress of one assigned partition: which dispatched offsets are unfinished, so that the offset
 * committed is never above the lowest unfinished record.
 *
 * <p>Dispatch and commit run on the poll thread; workers call {@link #finished} and {@link
 * #skipped}. {@code closed} (revoke, loss, shutdown) tells workers to start nothing more of it.
 */
final class PartitionTracker {
  final TopicPartition partition;
  private final Object progress;
  private final ConcurrentSkipListSet<Long> unfinished = new ConcurrentSkipListSet<>();
  private final AtomicInteger unfinishedCount = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private long highestDispatched = -1; // poll thread only
  private long lastCommitted = -1; // poll thread only
  private boolean paused; // poll thread only
  volatile boolean closed;

  PartitionTracker(TopicPartition partition, Object progress) {
    this.partition = partition;
    this.progress = progress;
  }

  /** Poll thread: a record handed to the workers. */
  boolean dispatched(long offset) {
    if (offset <= highestDispatched) {
      return false; // already dispatched in this assignment (cannot happen without a seek)
    }
    unfinished.add(offset);
    unfinishedCount.incrementAndGet();
    pending.incrementAndGet();
    highestDispatched = offset;
    return true;
  }

  /** Worker: the record is done (processed, duplicate, dead-lettered, parked or ignored). */
  void finished(long offset) {
    unfinished.remove(offset);
    unfinishedCount.decrementAndGet();
    release();
  }

  /** Worker: the record was not started or was abandoned; it stays unfinished. */
  void skipped() {
    release();
  }

  private void release() {
    if (pending.decrementAndGet() == 0) {
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  /** Records handed to workers and neither finished nor skipped. */
  int pending() {
    return pending.get();
  }

  int unfinished() {
    return unfinishedCount.get();
  }

  /** Poll thread: the offset to commit (the lowest unfinished, or one past the last), or -1. */
  long committable() {
    if (highestDispatched < 0) {
      return -1;
    }
    try {
      return unfinished.first();
    } catch (NoSuchElementException e) {
      return highestDispatched + 1;
    }
  }

  long highestDispatched() {
    return highestDispatched;
  }

  long lastCommitted() {
    return lastCommitted;
  }

  void lastCommitted(long offset) {
    this.lastCommitted = offset;
  }

  boolean paused() {
    return paused;
  }

  void paused(boolean paused) {
    this.paused = paused;
  }
}
