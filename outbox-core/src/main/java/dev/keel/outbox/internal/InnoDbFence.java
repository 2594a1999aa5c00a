package dev.keel.outbox.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The commit-order fence on MySQL and MariaDB, which have no transaction snapshot to read: a lane's
 * committed rows are published only up to its first row that is not committed yet.
 *
 * <p>Before each claim, the lane's next ids are read at READ UNCOMMITTED, which shows rows of
 * transactions still open; the claim then reads the committed rows as usual, and only the rows at
 * the front that both reads saw go (see {@link #releasable}). A row seen by the first read and not
 * by the second is in flight (or was just rolled back): the lane stops before it until a later
 * claim no longer sees it. A row committed between the two reads that the first one did not see
 * waits for the next claim, as an open row below it may not have been seen either.
 *
 * <p>Why this holds: a row r goes only if both reads saw r and every id the first read saw below r
 * is committed. A row below r that is open at the second read was either in the index at the first
 * read (then that read saw it, and r stays) or was not yet: its id was allocated before r's, but
 * its insert reached the index after r's was committed and read, a moment inside one INSERT. Only
 * in that moment can a later row of the lane go first; claims always start at the front of the
 * lane, so the earlier row follows and is never skipped.
 *
 * <p>The fence needs no privilege, no system table and no clock, adds two short statements per lane
 * and claim (SET TRANSACTION, an indexed read of ids), and holds back only the lane of the open
 * transaction. It replaces a fence that read {@code information_schema.innodb_trx}: InnoDB
 * refreshes that table only when nobody read it for 100 ms, so any monitoring reading it often
 * froze or disabled the fence.
 */
final class InnoDbFence {

  /**
   * The ids of the lane's next rows, committed or not, in id order.
   *
   * @param c a connection with no transaction open; left with none open
   */
  long[] allIds(Connection c, OutboxSql sql, int lane, long afterId, int limit)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"); // the next transaction only
    }
    long[] ids = new long[limit];
    int n = 0;
    try (PreparedStatement ps = c.prepareStatement(sql.claimIds())) {
      ps.setInt(1, lane);
      ps.setLong(2, afterId);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && n < limit) {
          ids[n++] = rs.getLong(1);
        }
      }
    }
    if (!c.getAutoCommit()) {
      c.commit();
    }
    return java.util.Arrays.copyOf(ids, n);
  }

  /**
   * How many of the committed rows, read after {@code all}, may go: the longest run at the front in
   * which both reads saw the same ids. Every id below a row that goes was seen by the first read
   * (it saw the lane's ids in order up to there) and is committed (the second read saw it too).
   *
   * @param committed the committed ids, in order
   * @param all the ids of the read at READ UNCOMMITTED, in order
   */
  static int releasable(long[] committed, long[] all) {
    int n = 0;
    while (n < committed.length && n < all.length && committed[n] == all[n]) {
      n++;
    }
    return n;
  }
}
