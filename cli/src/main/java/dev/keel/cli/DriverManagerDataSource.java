package dev.keel.cli;

import dev.keel.event.support.Secrets;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that opens one new connection per call through {@link DriverManager}: enough
 * for a short-lived operator command ({@code keel dlq}, {@code keel saga}), never for a service.
 * Thread-safe; the password is never logged.
 */
final class DriverManagerDataSource implements DataSource {
  private final String url;
  private final Properties properties = new Properties();

  /**
   * A data source for a JDBC URL.
   *
   * @param url the JDBC URL
   * @param user the user, or null to take it from the URL
   * @param password the password, or null
   */
  public DriverManagerDataSource(String url, String user, String password) {
    this.url = url;
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    return connect(properties);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", username);
    p.setProperty("password", password);
    return connect(p);
  }

  /**
   * Opens a connection; a failure's message (DriverManager's "No suitable driver found for", a
   * driver's URL parse error) repeats the URL, so it is redacted and the driver's exception is kept
   * only as a redacted copy.
   */
  private Connection connect(Properties p) throws SQLException {
    try {
      return DriverManager.getConnection(url, p);
    } catch (SQLException e) {
      java.util.List<String> known = new java.util.ArrayList<>();
      known.add(p.getProperty("password"));
      SQLException safe =
          new SQLException(
              Secrets.redact(e.getMessage(), known), e.getSQLState(), e.getErrorCode());
      if (e.getCause() != null) {
        safe.initCause(Secrets.redacted(e.getCause(), known));
      }
      safe.setStackTrace(e.getStackTrace());
      throw safe;
    }
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("Not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }

  @Override
  public String toString() {
    return Secrets.redact(url);
  }
}
