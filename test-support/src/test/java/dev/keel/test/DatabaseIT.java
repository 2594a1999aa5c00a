package dev.keel.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

@KeelTest
class DatabaseIT {

  @Test
  void postgresSchemaIsIsolated(IsolatedDatabase a, Database server) throws SQLException {
    try (IsolatedDatabase b = server.createIsolated("other")) {
      execute(a, "create table t(id int primary key)");
      execute(a, "insert into t values (1)");
      assertThat(count(a, "select count(*) from t")).isEqualTo(1);
      assertThatThrownBy(() -> count(b, "select count(*) from t")).isInstanceOf(SQLException.class);
      assertThat(count(a, "select count(*) from pg_stat_activity")).isPositive();
    }
  }

  @Test
  void postgresSupportsXid8Snapshots(IsolatedDatabase db) throws SQLException {
    assertThat(
            count(
                db,
                "select count(*) where pg_current_xact_id() >= pg_snapshot_xmin(pg_current_snapshot())"))
        .isEqualTo(1);
  }

  @Test
  void mariaDbDatabaseIsIsolated(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws SQLException {
    execute(db, "create table t(id int primary key) engine=InnoDB");
    execute(db, "insert into t values (1)");
    assertThat(count(db, "select count(*) from t")).isEqualTo(1);
  }

  @Test
  void h2Works(@WithDatabase(DatabaseKind.H2) IsolatedDatabase db) throws SQLException {
    execute(db, "create table t(id int primary key)");
    assertThat(count(db, "select count(*) from t")).isZero();
  }

  private static void execute(IsolatedDatabase db, String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(IsolatedDatabase db, String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
