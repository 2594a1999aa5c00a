package dev.keel.outbox.internal;

import dev.keel.event.support.PausePoints;
import dev.keel.event.support.PausePoints.Gate;

/**
 * Named points in the relay's commit-order fence and send path where a test can hold a thread, so
 * that a race is reproduced by schedule rather than by luck. Nothing is armed in production: {@link
 * #reach} then costs one read of an empty map.
 */
final class RelayHooks {
  /** The points, in the order a lane meets them. */
  enum Point {
    /** Cursor claims: a fence sample is about to read the sequence. */
    FENCE_SAMPLE_STARTED,
    /** Cursor claims: the fence sampler read the sequence and has not taken its snapshot yet. */
    FENCE_ID_READ,
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
    /**
     * Cursor claims: a pass took the rows read ahead during the previous one instead of a claim.
     */
    READ_AHEAD_TAKEN,
    /** A send failed before it reached the producer's buffer; the worker goes on with the pass. */
    SEND_FAILED_AT_ONCE,
    /** A worker removed a batch and noted the lane's new last id. */
    BATCH_SETTLED,
    /** Cursor claims: the cleanup of published rows is about to start. */
    CLEANUP_STARTED,
    /** MySQL, markPublished: rows were copied to the published table and not deleted yet. */
    MARKED_NOT_DELETED
  }

  private static final PausePoints<Point> POINTS = new PausePoints<>();

  private RelayHooks() {}

  /** Called by the relay at a point: blocks while a test holds the point. */
  static void reach(Point point) {
    POINTS.reach(point);
  }

  /** Holds the next {@code times} threads that reach the point until {@link Gate#release}. */
  static Gate pause(Point point, int times) {
    return POINTS.pause(point, times);
  }

  /** Counts the threads that reach the point without holding them. */
  static Gate count(Point point) {
    return POINTS.count(point);
  }

  /** Disarms every point and lets every held thread go. */
  static void reset() {
    POINTS.reset();
  }
}
