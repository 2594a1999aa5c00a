package dev.keel.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * What every database contender does alike around its backlog: empty its tables and checkpoint
 * before loading (so that no contender drains through a checkpoint left by the load of another),
 * then load in one transaction that also analyzes the table, and commit it when the clock starts.
 */
final class Backlog {
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

  private Backlog() {}

  /** Empties the tables, then makes PostgreSQL write out every dirty page (CHECKPOINT). */
  static void reset(DataSource ds, String... tables) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      c.setAutoCommit(true);
      st.execute("TRUNCATE " + String.join(", ", checked(tables)));
      st.execute("CHECKPOINT");
    }
  }

  /** Updates the planner's statistics of a table inside the loading transaction. */
  static void analyze(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("ANALYZE " + checked(table)[0]);
    }
  }

  /** Rows in a table. */
  static long count(DataSource ds, String table) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + checked(table)[0])) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String[] checked(String... tables) {
    for (String t : tables) {
      if (!NAME.matcher(t).matches()) {
        throw new IllegalArgumentException("not a plain table name: " + t);
      }
    }
    return tables;
  }

  /** Closes a loading connection left open by a failed round, rolling its transaction back. */
  static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // closing anyway
      }
      try {
        c.close();
      } catch (SQLException ignored) {
        // nothing more to do
      }
    }
  }
}
