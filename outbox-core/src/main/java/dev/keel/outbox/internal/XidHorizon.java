package dev.keel.outbox.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Tells when a lane's claim start may move past rows it already removed (PostgreSQL only).
 *
 * <p>A transaction still in flight may commit a row whose id is below rows already published (ids
 * are taken at insert, visibility comes at commit). Such a row can only come from a transaction
 * that had its id when the claim ran. Every few hundred milliseconds this samples a fresh
 * transaction id (an upper bound of all ids assigned so far) and the oldest running one; a lane may
 * start its claims after id W once a bound sampled after W was published is below the oldest
 * running transaction. Until then claims start at the last settled id, so a late row is still found
 * and published rather than skipped.
 */
final class XidHorizon {
  private static final int RING = 4096;
  private final long[] bounds = new long[RING];
  private volatile long seq;
  private volatile long xmin;

  /** Takes one sample; called by the relay's scheduler. */
  void sample(DataSource ds, OutboxSql sql) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(true);
      RelayHooks.reach(RelayHooks.Point.SAMPLE_STARTED);
      try (PreparedStatement ps = c.prepareStatement(sql.horizon());
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        long bound = Long.parseLong(rs.getString(1));
        long oldest = Long.parseLong(rs.getString(2));
        RelayHooks.reach(RelayHooks.Point.SAMPLE_QUERIED);
        synchronized (this) {
          bounds[(int) ((seq + 1) % RING)] = bound;
          seq = seq + 1;
          xmin = oldest;
        }
        RelayHooks.reach(RelayHooks.Point.SAMPLE_RECORDED);
      }
    }
  }

  /** The number of the next sample; a lane waits for it after publishing. */
  long nextSeq() {
    return seq + 1;
  }

  /**
   * Moves a lane's settled id forward when its pending id can no longer be undercut.
   *
   * @param lane the lane, whose lock the caller holds
   */
  void settle(OwnedLane lane) {
    if (lane.pendingSeq == 0) {
      return;
    }
    if (lane.pendingBound < 0) {
      long s = seq;
      if (s < lane.pendingSeq) {
        return;
      }
      synchronized (this) {
        lane.pendingBound =
            s - lane.pendingSeq >= RING ? Long.MAX_VALUE : bounds[(int) (lane.pendingSeq % RING)];
      }
    }
    if (xmin >= lane.pendingBound && lane.pendingBound != Long.MAX_VALUE) {
      lane.safeId = lane.pendingId;
      lane.pendingSeq = 0;
    } else if (lane.pendingBound == Long.MAX_VALUE) {
      // Samples were missed for so long that the bound is gone: start a new wait.
      lane.pendingSeq = 0;
    }
  }

  /** After a batch: remember the lane's new last id, to settle once safe. */
  void afterBatch(OwnedLane lane) {
    if (lane.pendingSeq == 0 && lane.lastId > lane.safeId) {
      lane.pendingId = lane.lastId;
      lane.pendingSeq = nextSeq();
      lane.pendingBound = -1;
    }
    RelayHooks.reach(RelayHooks.Point.BATCH_SETTLED);
  }
}
