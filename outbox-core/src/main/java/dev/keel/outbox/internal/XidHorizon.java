package dev.keel.outbox.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Tells when a lane's claims may start after the rows it already removed (PostgreSQL only).
 *
 * <p>Ids are taken at insert and rows become visible at commit, so a transaction still in flight
 * may commit a row whose id is below rows already published. A lane's claims therefore start at its
 * <em>safe id</em>, which moves to the lane's last removed id W in three steps:
 *
 * <ol>
 *   <li><b>Bound.</b> After W was removed, the lane waits for a sample that <em>started</em> later
 *       (samples are numbered when their query starts, not when it ends). Its fresh transaction id
 *       B is greater than the id of every transaction that can hold a row id up to W: such a
 *       transaction took its row id before W's insert, it had its transaction id by then (an append
 *       takes the transaction id before the row id, see {@link OutboxSql#insert()}), W's insert
 *       came before W was published, and transaction ids are handed out in increasing order.
 *   <li><b>Finished.</b> A later sample shows {@code xmin >= B}: every transaction below B, hence
 *       every one that can still commit a row up to W, had ended when that sample's snapshot was
 *       taken. This is only noted before a claim, so any claim from then on started after they
 *       ended.
 *   <li><b>Read.</b> Such a claim, still reading from the old safe id, found no row up to W: every
 *       row up to W that was ever committed is visible to it, so there is none left. Only then does
 *       the safe id become W. If it found one (a late row), that row is published first and a later
 *       claim repeats the check.
 * </ol>
 *
 * <p>Each step only looks at the lane's own claims and at the samples the relay takes every 100 ms
 * anyway: no query per row or per lane is added.
 */
final class XidHorizon {
  private static final int RING = 4096;
  private final long[] ringSeq = new long[RING];
  private final long[] ringBound = new long[RING];
  private long started;
  private long recorded;
  private volatile long xmin;

  /** Takes one sample; called by the relay's scheduler. */
  void sample(DataSource ds, OutboxSql sql) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(true);
      long n = begin();
      RelayHooks.reach(RelayHooks.Point.SAMPLE_STARTED);
      try (PreparedStatement ps = c.prepareStatement(sql.horizon());
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        long bound = Long.parseLong(rs.getString(1));
        long oldest = Long.parseLong(rs.getString(2));
        RelayHooks.reach(RelayHooks.Point.SAMPLE_QUERIED);
        record(n, bound, oldest);
        RelayHooks.reach(RelayHooks.Point.SAMPLE_RECORDED);
      }
    }
  }

  /** A sample starts: its number, taken before its query runs. */
  synchronized long begin() {
    return ++started;
  }

  /**
   * A sample ended.
   *
   * @param n its number from {@link #begin()}
   * @param bound a transaction id assigned during the sample
   * @param oldest the xmin of the sample's snapshot
   */
  synchronized void record(long n, long bound, long oldest) {
    int slot = (int) (n % RING);
    if (ringSeq[slot] < n) {
      ringSeq[slot] = n;
      ringBound[slot] = bound;
    }
    recorded = Math.max(recorded, n);
    if (oldest > xmin) {
      xmin = oldest;
    }
  }

  /**
   * Before a claim of the lane: notes whether every transaction that can still hold a row id up to
   * the lane's pending id is known to have ended (steps 1 and 2).
   *
   * @param lane the lane, whose lock the caller holds
   */
  void beforeClaim(OwnedLane lane) {
    if (lane.pendingSeq == 0 || lane.pendingFinished) {
      return;
    }
    if (lane.pendingBound < 0) {
      synchronized (this) {
        if (recorded < lane.pendingSeq) {
          return;
        }
        int slot = (int) (lane.pendingSeq % RING);
        // The first sample that started after the removal, or if its number is gone (failed, or
        // overwritten) the latest: it started later still, so its bound is only larger.
        lane.pendingBound =
            ringSeq[slot] == lane.pendingSeq ? ringBound[slot] : ringBound[(int) (recorded % RING)];
      }
    }
    if (xmin >= lane.pendingBound) {
      lane.pendingFinished = true;
    }
  }

  /**
   * After a claim of the lane that read from its safe id (step 3).
   *
   * @param lane the lane, whose lock the caller holds
   * @param firstId the lowest id the claim read, committed-safe or not ({@link Long#MAX_VALUE} when
   *     it read none)
   */
  void afterClaim(OwnedLane lane, long firstId) {
    if (lane.pendingSeq == 0 || !lane.pendingFinished || firstId <= lane.pendingId) {
      return;
    }
    lane.safeId = lane.pendingId;
    lane.pendingSeq = 0;
    if (lane.lastId > lane.safeId) {
      await(lane);
    }
  }

  /** After a batch was removed: remember the lane's new last id, to settle once safe. */
  void afterBatch(OwnedLane lane) {
    if (lane.pendingSeq == 0 && lane.lastId > lane.safeId) {
      await(lane);
    }
    RelayHooks.reach(RelayHooks.Point.BATCH_SETTLED);
  }

  private void await(OwnedLane lane) {
    lane.pendingId = lane.lastId;
    synchronized (this) {
      lane.pendingSeq = started + 1; // only a sample that starts from now on can give the bound
    }
    lane.pendingBound = -1;
    lane.pendingFinished = false;
  }
}
