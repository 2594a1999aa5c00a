package dev.keel.outbox.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A lane this instance holds a lease on. The worker holds {@link #lock} while it processes a batch;
 * the lease manager takes it before giving the lane up, so a batch is never cut in half.
 */
final class OwnedLane {
  final int lane;
  final long epoch;
  final ReentrantLock lock = new ReentrantLock();

  /** Highest id removed from the front of the lane. */
  long lastId;

  /** Claims start after this id: no row below it can still appear (see {@link XidHorizon}). */
  long safeId;

  /** A last id waiting to become the safe id, and the horizon sample it waits for. */
  long pendingId;

  long pendingSeq;
  long pendingBound = -1;

  /**
   * Every transaction that can still hold an id up to {@link #pendingId} is known to have ended.
   */
  boolean pendingFinished;

  /**
   * The lane's last pass left some of its claimed rows in the outbox (a partition away, a retriable
   * error, a missing topic): it is claimed on its own, a batch at a time, until a pass removes all
   * it claimed, so that rows that do not go cannot fill a scan shared with other lanes.
   */
  boolean claimApart;

  /**
   * Cursor claims: every row of the lane up to this id was published or quarantined; the value
   * persisted under the lane's epoch.
   */
  volatile long cursor;

  /** Cursor claims: the rows up to this id were cleaned up. Used by the cleanup only. */
  long cleanedTo;

  /** System.nanoTime() until which the lease is surely still ours. */
  volatile long validUntilNanos;

  volatile boolean revoked;
  volatile String stopped;

  OwnedLane(int lane, long epoch, long validUntilNanos) {
    this.lane = lane;
    this.epoch = epoch;
    this.validUntilNanos = validUntilNanos;
  }

  boolean usable() {
    return !revoked && stopped == null && System.nanoTime() < validUntilNanos;
  }
}
