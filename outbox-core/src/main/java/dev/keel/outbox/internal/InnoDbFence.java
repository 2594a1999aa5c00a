package dev.keel.outbox.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import javax.sql.DataSource;

/**
 * The commit-order fence on MySQL and MariaDB, which have no transaction snapshots to read. A row
 * may be published once it was appended before every writing transaction still open started, and
 * more than a second before the sample was taken.
 *
 * <p>InnoDB serves {@code information_schema.innodb_trx} from a cache that it refreshes only when
 * the table was not read in the last 100 ms, so one sampler per relay reads it every 250 ms instead
 * of every claim (constant reads would keep the cache stale), and the one-second margin covers a
 * cache up to that old. {@code trx_started} has second precision, which only makes the cutoff
 * earlier.
 */
final class InnoDbFence {
  private static final long MARGIN_MILLIS = 1000;
  private volatile Timestamp cutoff = new Timestamp(0);

  void sample(DataSource ds, OutboxSql sql) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.innoDbHorizon());
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      Timestamp now = rs.getTimestamp(1);
      Timestamp oldest = rs.getTimestamp(2);
      long limit = now.getTime() - MARGIN_MILLIS;
      if (oldest != null) {
        limit = Math.min(limit, oldest.getTime());
      }
      cutoff = new Timestamp(limit);
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
  }

  /** Rows appended before this instant may be published. */
  Timestamp cutoff() {
    return cutoff;
  }
}
