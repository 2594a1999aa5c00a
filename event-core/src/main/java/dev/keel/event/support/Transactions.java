package dev.keel.event.support;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs work in one transaction on a connection the caller holds: auto-commit off, commit when the
 * work returns, roll back when it throws, and the connection's auto-commit setting restored either
 * way. Thread-safe: stateless.
 */
public final class Transactions {
  private Transactions() {}

  /** Work on a connection inside a transaction. */
  @FunctionalInterface
  public interface SqlWork<T> {
    /**
     * Does the work.
     *
     * @param c the connection, in a transaction
     */
    T apply(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on {@code c}.
   *
   * @param c a connection the caller holds (and closes)
   * @param work the work
   * @return what the work returned, after the commit
   * @throws SQLException when the work or the commit failed (the transaction was rolled back)
   */
  public static <T> T run(Connection c, SqlWork<T> work) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      T result = work.apply(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }
}
