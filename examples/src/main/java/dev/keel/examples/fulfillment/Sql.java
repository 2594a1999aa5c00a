package dev.keel.examples.fulfillment;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The few JDBC helpers the example services share. */
public final class Sql {
  private Sql() {}

  /** Runs DDL statements, each in its own auto-committed statement. */
  public static void ddl(DataSource ds, String... statements) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  /** Runs an update with positional parameters in the given transaction. */
  public static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeUpdate();
    }
  }

  /** The first column of every row, as strings. */
  public static List<String> column(DataSource ds, String sql, Object... params)
      throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  /** A single value, or null when there is no row. */
  public static String value(DataSource ds, String sql, Object... params) throws SQLException {
    List<String> values = column(ds, sql, params);
    return values.isEmpty() ? null : values.get(0);
  }

  /** A count. */
  public static long count(DataSource ds, String sql, Object... params) throws SQLException {
    String v = value(ds, sql, params);
    return v == null ? 0 : Long.parseLong(v);
  }
}
