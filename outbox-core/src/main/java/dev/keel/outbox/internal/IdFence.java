package dev.keel.outbox.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import javax.sql.DataSource;

/**
 * The commit-order fence of cursor claims (PostgreSQL): the highest id F such that every row with
 * an id up to F that will ever commit has committed, so that a claim reading {@code id <= F} sees
 * all of them and a cursor may move past them for good.
 *
 * <p>A sample reads, in two statements in this order, the outbox sequence's last value M and then a
 * fresh transaction id B with a snapshot's xmin. A transaction holding a row id up to M took that
 * id before M was read and its transaction id before its row id (an append takes the transaction id
 * first, see {@link OutboxSql#insert()}), so its transaction id is below B: ids are assigned in
 * increasing order. Once a later sample's snapshot shows {@code xmin >= B}, every such transaction
 * has ended, and M becomes the fence for every claim that starts from then on.
 *
 * <p>B must be assigned, not read off a snapshot: a snapshot's xmax is one past the latest
 * transaction that ended, so the youngest transactions still open are at or above it and absent
 * from its list of running ones (CursorClaimsIT#youngestOpenTransactionsRowIsNotPassed lost a row
 * that way).
 *
 * <p>This needs the sequence to hand out ids one at a time (a cache of 1, the {@code bigserial}
 * default): with a larger cache a session could hand out an id below M after B was taken. The relay
 * checks it at start.
 */
final class IdFence {
  /** Pending samples kept at most; past it the newest is replaced, which only delays the fence. */
  static final int MAX_PENDING = 64;

  private final ArrayDeque<long[]> pending = new ArrayDeque<>();
  private volatile long fence;

  /**
   * Takes one sample; returns whether the fence moved. When no id was handed out above the fence
   * and no sample waits to settle, the sample ends after the first statement.
   */
  boolean sample(DataSource ds, OutboxSql sql) throws SQLException {
    RelayHooks.reach(RelayHooks.Point.FENCE_SAMPLE_STARTED);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(true);
      long lastId;
      try (PreparedStatement ps = c.prepareStatement(sql.sequenceLastValue());
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        lastId = rs.getLong(1);
      }
      if (lastId <= fence && !settling()) {
        return false; // nothing appended since the fence last moved: no transaction id is spent
      }
      RelayHooks.reach(RelayHooks.Point.FENCE_ID_READ);
      try (PreparedStatement ps = c.prepareStatement(sql.horizon());
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return record(lastId, Long.parseLong(rs.getString(1)), Long.parseLong(rs.getString(2)));
      }
    }
  }

  /**
   * Records a sample.
   *
   * @param lastId the sequence's last value, read first
   * @param bound a transaction id assigned after it
   * @param xmin the xmin of a snapshot taken with it
   * @return whether the fence moved
   */
  synchronized boolean record(long lastId, long bound, long xmin) {
    long[] newest = pending.peekLast();
    if (lastId > fence && (newest == null || newest[0] < lastId)) {
      if (pending.size() >= MAX_PENDING) {
        pending.pollLast(); // its id is lower and its bound too: the new sample settles it as well
      }
      pending.addLast(new long[] {lastId, bound});
    }
    long settled = fence;
    while (!pending.isEmpty() && pending.peekFirst()[1] <= xmin) {
      settled = Math.max(settled, pending.pollFirst()[0]);
    }
    boolean moved = settled > fence;
    fence = settled;
    return moved;
  }

  /** Whether a sample waits to settle: ids were handed out above the fence since it last moved. */
  synchronized boolean settling() {
    return !pending.isEmpty();
  }

  /** The current fence: rows up to it may be claimed, and no other row up to it can appear. */
  long fence() {
    return fence;
  }
}
