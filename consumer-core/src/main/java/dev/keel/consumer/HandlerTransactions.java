package dev.keel.consumer;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Who opens, commits and rolls back the transaction a record's dedupe row and handler run in, and
 * supplies its connection: the one seam a framework needs to run handlers in its own transactions
 * (Keel's Spring Boot starter runs them on the application's {@code PlatformTransactionManager}, so
 * that repositories write in the same transaction as the dedupe row). The default, {@link #JDBC},
 * takes a connection from the runtime's data source and commits or rolls it back itself.
 *
 * <p>Contract of {@link #inTransaction}: one new transaction per call, on a connection of the given
 * data source; {@link Work#apply} runs in it; when {@code apply} throws, the transaction is rolled
 * back and the exception is rethrown as it is; when it returns, the transaction commits unless
 * {@link Work#commit} says otherwise, in which case it is rolled back; the commit's failure is
 * thrown. Nothing of the transaction may stay visible after a failure. Called by the runtime's
 * worker threads, concurrently: implementations are thread-safe.
 */
public interface HandlerTransactions {

  /**
   * Work done in one transaction.
   *
   * @param <T> the result
   */
  interface Work<T> {
    /**
     * Writes the dedupe row and runs the handler on the transaction's connection (which it must not
     * commit, roll back or close).
     *
     * @param connection the transaction's connection
     * @return the result
     * @throws Exception the handler's failure: the transaction is rolled back
     */
    T apply(Connection connection) throws Exception;

    /**
     * Whether the transaction commits after {@link #apply} returned this result; {@code false}
     * rolls it back (a duplicate wrote nothing). {@code true} unless overridden.
     *
     * @param result what {@link #apply} returned
     * @return whether to commit
     */
    default boolean commit(T result) {
      return true;
    }
  }

  /** The default: a connection of the data source, committed or rolled back by Keel. */
  HandlerTransactions JDBC =
      new HandlerTransactions() {
        @Override
        public <T> T inTransaction(DataSource dataSource, Work<T> work) throws Exception {
          try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
              T result = work.apply(c);
              if (work.commit(result)) {
                c.commit();
              } else {
                c.rollback(); // nothing was written; no commit to wait for
              }
              return result;
            } catch (Exception | Error e) {
              try {
                c.rollback();
              } catch (SQLException ignored) {
                // the original failure is the one to report
              }
              throw e;
            } finally {
              if (autoCommit) {
                try {
                  c.setAutoCommit(true);
                } catch (SQLException ignored) {
                  // the pool discards a broken connection
                }
              }
            }
          }
        }

        @Override
        public String toString() {
          return "HandlerTransactions.JDBC";
        }
      };

  /**
   * Runs the work in one new transaction on a connection of the data source.
   *
   * @param dataSource the runtime's data source (the dedupe table's)
   * @param work the dedupe row and the handler
   * @param <T> the result
   * @return what the work returned
   * @throws Exception the work's failure, or the commit's
   */
  <T> T inTransaction(DataSource dataSource, Work<T> work) throws Exception;
}
