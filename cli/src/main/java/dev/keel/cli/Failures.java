package dev.keel.cli;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.support.Values;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/**
 * What a command's failure means to the operator: its exit code ({@link ExitCodes}) and the line
 * printed for it. Errors of the database name the user that was tried and the flags and environment
 * variables that set the connection.
 */
final class Failures {
  private Failures() {}

  /** The exit code for an exception thrown by a command. */
  static int exitCode(Throwable e) {
    if (unavailable(e)) {
      return ExitCodes.UNAVAILABLE;
    }
    SQLException sql = find(e, SQLException.class);
    if (sql != null && state(sql).startsWith("42")) {
      return ExitCodes.USAGE; // no such table or column: not installed, or --schema/--prefix
    }
    if (e instanceof KeelConfigurationException) {
      return ExitCodes.USAGE;
    }
    if (e instanceof DatabaseOptions.Unreachable) {
      return ExitCodes.UNAVAILABLE; // a driver that gives no SQLState: no driver, a bad URL
    }
    if (e instanceof NonRetriableKeelException) {
      return ExitCodes.REFUSED;
    }
    return ExitCodes.FAILED;
  }

  /** The message printed for it, after {@code "keel: "}, with a hint where there is one. */
  static String message(Throwable e, DatabaseOptions db) {
    String m = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    SQLException sql = find(e, SQLException.class);
    if (sql != null && db != null) {
      String state = state(sql);
      if (state.startsWith("28")) {
        return "the database refused the login of user "
            + db.describeUser()
            + ": "
            + sql.getMessage()
            + " (set the user with --db-user or "
            + DatabaseOptions.USER_ENV
            + ", the password in "
            + db.passwordEnvName()
            + ")";
      }
      if (state.startsWith("08") || find(e, ConnectException.class) != null) {
        return "cannot reach the database at "
            + db.describeUrl()
            + " as user "
            + db.describeUser()
            + ": "
            + sql.getMessage()
            + " (set the URL with --jdbc-url or "
            + DatabaseOptions.URL_ENV
            + ")";
      }
      if (state.startsWith("42")) {
        return m
            + " (are Keel's tables installed in this database, and are --schema and --prefix"
            + " right?)";
      }
    }
    return m;
  }

  private static boolean unavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && (state(s).startsWith("08") || state(s).startsWith("28"))) {
        return true;
      }
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof org.apache.kafka.common.errors.TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static String state(SQLException e) {
    return e.getSQLState() == null ? "" : e.getSQLState();
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** {@code "keel: <message>"}, escaped for a terminal. */
  static String line(String message) {
    return "keel: " + Values.escape(message);
  }
}
