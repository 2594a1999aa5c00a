package dev.keel.dlq.internal;

import dev.keel.event.support.PausePoints;
import dev.keel.event.support.PausePoints.Gate;

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

  private static final PausePoints<Point> POINTS = new PausePoints<>();

  private ReplayHooks() {}

  /** Called by a replay or discard at a point: blocks while a test holds the point. */
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
