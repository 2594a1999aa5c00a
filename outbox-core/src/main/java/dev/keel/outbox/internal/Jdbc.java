package dev.keel.outbox.internal;

import dev.keel.event.sql.SqlDialect;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/** Small JDBC helpers shared by the outbox's statements. */
final class Jdbc {
  private Jdbc() {}

  static void setUuid(PreparedStatement ps, int index, UUID id, SqlDialect dialect)
      throws SQLException {
    dialect.setUuid(ps, index, id);
  }

  /** Binds ids: one array on PostgreSQL, else one parameter each. Returns the next index. */
  static int setIds(PreparedStatement ps, int index, long[] ids, SqlDialect dialect)
      throws SQLException {
    if (dialect == SqlDialect.POSTGRES) {
      Long[] boxed = new Long[ids.length];
      for (int i = 0; i < ids.length; i++) {
        boxed[i] = ids[i];
      }
      ps.setArray(index, ps.getConnection().createArrayOf("bigint", boxed));
      return index + 1;
    }
    for (long id : ids) {
      ps.setLong(index++, id);
    }
    return index;
  }

  static boolean isUniqueViolation(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.equals("23505") || state.equals("23000"));
  }
}
