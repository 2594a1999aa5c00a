package dev.keel.consumer.tiers.testing;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A real data source that refuses connections while {@link #down()} is set (a database outage), and
 * fails the statements that insert dead letters with an SQLState on demand ({@link
 * #failDeadLetterInserts}: a deadlock, a value the database refuses as data).
 */
public final class FlakyDataSource implements DataSource {
  private final DataSource real;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicReference<String> insertFailure = new AtomicReference<>();
  private final AtomicInteger insertFailuresLeft = new AtomicInteger();
  private final AtomicInteger failedInserts = new AtomicInteger();

  public FlakyDataSource(DataSource real) {
    this.real = real;
  }

  public AtomicBoolean down() {
    return down;
  }

  /**
   * Fails the next inserts into the dead-letter table with this SQLState.
   *
   * @param sqlState the SQLState, or null to stop failing them
   * @param times how many, or -1 for every one until told otherwise
   */
  public void failDeadLetterInserts(String sqlState, int times) {
    insertFailuresLeft.set(times);
    insertFailure.set(sqlState);
  }

  /** How many dead-letter inserts {@link #failDeadLetterInserts()} failed so far. */
  public int failedInserts() {
    return failedInserts.get();
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (down.get()) {
      throw new SQLTransientConnectionException("database down (test)", "08001");
    }
    Connection c = real.getConnection();
    return (Connection)
        Proxy.newProxyInstance(
            FlakyDataSource.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, m, args) -> {
              String state = insertFailure.get();
              if (state != null
                  && m.getName().equals("prepareStatement")
                  && ((String) args[0]).startsWith("INSERT INTO")
                  && ((String) args[0]).contains("dead_letter")
                  && insertFailuresLeft.getAndUpdate(n -> n > 0 ? n - 1 : n) != 0) {
                failedInserts.incrementAndGet();
                throw new SQLException("refused by the test (SQLState " + state + ")", state);
              }
              try {
                return m.invoke(c, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return real.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    real.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    real.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return real.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return real.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return real.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return real.isWrapperFor(iface);
  }
}
