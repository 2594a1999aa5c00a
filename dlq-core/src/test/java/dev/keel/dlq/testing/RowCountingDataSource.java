package dev.keel.dlq.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A real data source that watches the queries on one table: how many were run and the most rows any
 * one of them handed back. Shows that a caller never reads more than a page of that table at once.
 */
public final class RowCountingDataSource {
  private final DataSource real;
  private final String table;
  private final AtomicInteger queries = new AtomicInteger();
  private final AtomicInteger maxRows = new AtomicInteger();

  /**
   * @param real the data source to watch
   * @param table a fragment of the table's name, such as {@code dlq_parked}
   */
  public RowCountingDataSource(DataSource real, String table) {
    this.real = real;
    this.table = table.toLowerCase(Locale.ROOT);
  }

  /** The data source to hand to the code under test. */
  public DataSource dataSource() {
    return proxy(
        DataSource.class,
        real,
        (m, args, result) ->
            m.getName().equals("getConnection") ? connection((Connection) result) : result);
  }

  /** Queries run on the table so far. */
  public int queries() {
    return queries.get();
  }

  /** The most rows one query on the table handed back. */
  public int maxRows() {
    return maxRows.get();
  }

  private Connection connection(Connection c) {
    return proxy(
        Connection.class,
        c,
        (m, args, result) -> {
          if (m.getName().equals("prepareStatement")
              && args[0] instanceof String sql
              && sql.toLowerCase(Locale.ROOT).contains(table)
              && sql.trim().toLowerCase(Locale.ROOT).startsWith("select")) {
            return statement((PreparedStatement) result);
          }
          return result;
        });
  }

  private PreparedStatement statement(PreparedStatement ps) {
    return proxy(
        PreparedStatement.class,
        ps,
        (m, args, result) -> {
          if (m.getName().equals("executeQuery")) {
            queries.incrementAndGet();
            return rows((ResultSet) result);
          }
          return result;
        });
  }

  private ResultSet rows(ResultSet rs) {
    AtomicInteger read = new AtomicInteger();
    return proxy(
        ResultSet.class,
        rs,
        (m, args, result) -> {
          if (m.getName().equals("next") && Boolean.TRUE.equals(result)) {
            maxRows.accumulateAndGet(read.incrementAndGet(), Math::max);
          }
          return result;
        });
  }

  /** What to hand back instead of the real method's result. */
  @FunctionalInterface
  private interface After {
    Object apply(Method m, Object[] args, Object result) throws SQLException;
  }

  private static <T> T proxy(Class<T> type, T target, After after) {
    InvocationHandler h =
        (p, m, args) -> {
          Object result;
          try {
            result = m.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          return after.apply(m, args, result);
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
  }
}
