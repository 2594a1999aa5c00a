package dev.keel.consumer;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.sql.DataSource;

/**
 * A data source that records every statement executed through it: its SQL and its update count, or
 * the {@link SQLException} it raised. Tests use it to see what the runtime sent to the database
 * (the batches of a cleanup, a unique violation that was retried away) through the public API only.
 * Thread-safe.
 */
final class RecordingDataSource {
  /** One execution: the SQL, the update count (-1 when not an update) or the error. */
  record Execution(String sql, long updateCount, SQLException error) {
    boolean isDeleteFrom(String table) {
      String s = sql.toLowerCase(Locale.ROOT);
      return s.startsWith("delete") && s.contains(table.toLowerCase(Locale.ROOT));
    }
  }

  private final DataSource target;
  private final Queue<Execution> executions = new ConcurrentLinkedQueue<>();
  private final DataSource proxy;

  RecordingDataSource(DataSource target) {
    this.target = target;
    this.proxy = proxy(DataSource.class, target, this::wrapConnection);
  }

  /** The data source to give to the code under test. */
  DataSource dataSource() {
    return proxy;
  }

  /** Every execution so far, in order of completion. */
  List<Execution> executions() {
    return List.copyOf(executions);
  }

  /** The executions that raised an exception. */
  List<Execution> failures() {
    return executions.stream().filter(e -> e.error() != null).toList();
  }

  /** Forgets what was recorded so far. */
  void clear() {
    executions.clear();
  }

  private Object wrapConnection(Object[] args, Object result) {
    if (result instanceof Connection c) {
      return proxy(Connection.class, c, this::wrapStatement);
    }
    return result;
  }

  /** Statements made by the connection; prepareStatement's first argument is the SQL. */
  private Object wrapStatement(Object[] args, Object result) {
    if (result instanceof PreparedStatement ps) {
      return statementProxy(PreparedStatement.class, ps, firstString(args));
    }
    if (result instanceof Statement st) {
      return statementProxy(Statement.class, st, null);
    }
    return result;
  }

  private static String firstString(Object[] args) {
    return args != null && args.length > 0 && args[0] instanceof String s ? s : "?";
  }

  private <T extends Statement> T statementProxy(Class<T> type, T statement, String preparedSql) {
    InvocationHandler h =
        (p, m, args) -> {
          boolean executes = m.getName().startsWith("execute");
          String sql = preparedSql != null ? preparedSql : firstString(args);
          try {
            Object r = m.invoke(statement, args);
            if (executes) {
              long count =
                  r instanceof Integer i ? i : r instanceof Long l ? l : statement.getUpdateCount();
              executions.add(new Execution(sql, count, null));
            }
            return r;
          } catch (InvocationTargetException e) {
            if (executes && e.getCause() instanceof SQLException s) {
              executions.add(new Execution(sql, -1, s));
            }
            throw e.getCause();
          }
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
  }

  private interface Wrapper {
    Object wrap(Object[] args, Object result);
  }

  private static <T> T proxy(Class<T> type, T delegate, Wrapper wrapper) {
    InvocationHandler h =
        (p, m, args) -> {
          try {
            return wrapper.wrap(args, m.invoke(delegate, args));
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
  }

  @Override
  public String toString() {
    return "RecordingDataSource(" + target + ")";
  }
}
