package dev.keel.event.support;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * What an SQLState says about retrying. Class {@code 22} (data exception: a value too long, U+0000
 * in PostgreSQL text, an invalid number or date) means the database refused the data itself: the
 * same statement with the same data fails the same way on every attempt, so it is permanent. Shared
 * by dlq-core's classifier and store and saga-core's local steps.
 */
public final class SqlStates {
  private static final int MAX_DEPTH = 32;

  private SqlStates() {}

  /**
   * Whether an SQLState is of class 22, data exception.
   *
   * @param sqlState a five-character SQLState; null gives false
   */
  public static boolean isDataException(String sqlState) {
    return sqlState != null && sqlState.startsWith("22");
  }

  /**
   * Whether the cause chain of {@code error}, itself included, holds an {@link SQLException} of
   * SQLState class 22; at most 32 levels, cycles ignored.
   *
   * @param error any throwable; null gives false
   */
  public static boolean dataExceptionIn(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_DEPTH && seen.add(t); depth++) {
      if (t instanceof SQLException sql && isDataException(sql.getSQLState())) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }

  /**
   * The SQLState of the outermost {@link SQLException} with one in the cause chain of {@code
   * error}, itself included (at most 32 levels, cycles ignored); null when there is none.
   *
   * @param error any throwable; null gives null
   */
  public static String sqlStateIn(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_DEPTH && seen.add(t); depth++) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
      t = t.getCause();
    }
    return null;
  }

  /**
   * Whether an SQLState says a table (or view) does not exist: {@code 42P01} on PostgreSQL, {@code
   * 42S02} on MySQL, MariaDB and H2; H2 2.x also says {@code 42S03} (with candidates) and {@code
   * 42S04} (the database is empty), and {@code 42102} to {@code 42104} in some modes.
   *
   * @param sqlState a five-character SQLState; null gives false
   */
  public static boolean isUndefinedTable(String sqlState) {
    return sqlState != null
        && (sqlState.equals("42P01")
            || sqlState.equals("42S02")
            || sqlState.equals("42S03")
            || sqlState.equals("42S04")
            || sqlState.equals("42102")
            || sqlState.equals("42103")
            || sqlState.equals("42104"));
  }

  /**
   * Whether the cause chain of {@code error}, itself included, holds an {@link SQLException} whose
   * SQLState says a table does not exist ({@link #isUndefinedTable(String)}); at most 32 levels.
   *
   * @param error any throwable; null gives false
   */
  public static boolean undefinedTableIn(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_DEPTH && seen.add(t); depth++) {
      if (t instanceof SQLException sql && isUndefinedTable(sql.getSQLState())) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }
}
