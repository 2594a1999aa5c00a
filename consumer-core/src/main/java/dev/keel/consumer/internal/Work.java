package dev.keel.consumer.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One record handed to a lane, with the partition progress it reports to exactly once: finished
 * (its offset may be committed) or skipped (it stays for the partition's next owner).
 */
final class Work {
  final ConsumerRecord<byte[], byte[]> record;
  final PartitionTracker tracker;
  private final AtomicBoolean released = new AtomicBoolean();

  Work(ConsumerRecord<byte[], byte[]> record, PartitionTracker tracker) {
    this.record = record;
    this.tracker = tracker;
  }

  void finish() {
    if (released.compareAndSet(false, true)) {
      tracker.finished(record.offset());
    }
  }

  /**
   * Leaves the record unfinished. Its partition closes too: a lane never runs past an unfinished
   * record, and no offset above it is ever committed.
   */
  void skip() {
    tracker.closed = true;
    if (released.compareAndSet(false, true)) {
      tracker.skipped();
    }
  }

  /** Whether the partition was revoked, lost or is closing: start nothing more of it. */
  boolean abandoned() {
    return tracker.closed;
  }

  String where() {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
