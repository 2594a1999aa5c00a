package dev.keel.event.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.RetriableKeelException;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.WithDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@KeelTest
class SchemaInstallerIT {

  @Test
  void postgresInstallsOnceAndAgainWithoutError(IsolatedDatabase db) throws Exception {
    installTwice(db, SqlDialect.POSTGRES, TableNames.defaults());
    assertThat(count(db, "select count(*) from keel_selftest")).isZero();
  }

  @Test
  void postgresWithOwnSchemaAndPrefix(IsolatedDatabase db) throws Exception {
    // The installer creates this schema beside the isolated one; on a shared server its name must
    // be unique and it must be dropped, or the next run finds it already populated.
    String schema = db.name() + "_app";
    try {
      installTwice(db, SqlDialect.POSTGRES, TableNames.of(schema, "svc_"));
      assertThat(count(db, "select count(*) from " + schema + ".svc_selftest")).isZero();
    } finally {
      execute(db, "drop schema if exists " + schema + " cascade");
    }
  }

  @Test
  void postgresConcurrentInstallersApplyEachScriptOnce(IsolatedDatabase db) throws Exception {
    SchemaInstaller installer = SchemaInstaller.builder().dataSource(db.dataSource()).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(pool.submit((Callable<List<String>>) () -> installer.install("selftest")));
      }
      int applied = 0;
      for (Future<List<String>> f : results) {
        applied += f.get().size();
      }
      assertThat(applied).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
    assertThat(count(db, "select count(*) from keel_schema_version where component = 'selftest'"))
        .isEqualTo(2);
  }

  @Test
  void mariaDbInstallsOnceAndAgainWithoutError(
      @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) throws Exception {
    installTwice(db, SqlDialect.MARIADB, TableNames.defaults());
    assertThat(count(db, "select count(*) from keel_selftest")).isZero();
  }

  @Test
  void mariaDbInstallWithoutTheLockIsARetriableError(
      @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) throws Exception {
    SchemaInstaller installer =
        SchemaInstaller.builder()
            .dataSource(db.dataSource())
            .lockTimeout(Duration.ofSeconds(1))
            .build();
    try (Connection holder = db.dataSource().getConnection();
        Statement s = holder.createStatement()) {
      try (ResultSet rs = s.executeQuery("select get_lock('keel_schema_install', 30)")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
      try {
        assertThatThrownBy(() -> installer.install("selftest"))
            .isInstanceOf(RetriableKeelException.class)
            .hasMessageContaining("installing selftest")
            .hasMessageContaining("install lock keel_schema_install within 1 s")
            .hasMessageContaining("GET_LOCK returned 0");
      } finally {
        s.execute("select release_lock('keel_schema_install')");
      }
    }
    assertThat(installer.installedVersion("selftest")).isZero();
    assertThat(installer.install("selftest")).containsExactly("V1__tables.sql", "V2__index.sql");
  }

  @Test
  void h2InstallsOnceAndAgainWithoutError(@WithDatabase(DatabaseKind.H2) IsolatedDatabase db)
      throws Exception {
    installTwice(db, SqlDialect.H2, TableNames.defaults());
  }

  @Test
  void unknownComponentIsAClearError(IsolatedDatabase db) {
    SchemaInstaller installer = SchemaInstaller.builder().dataSource(db.dataSource()).build();
    assertThatThrownBy(() -> installer.install("nothing"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("No Keel SQL scripts for component nothing");
    assertThatThrownBy(() -> installer.install("../etc"))
        .isInstanceOf(KeelConfigurationException.class);
  }

  private static void installTwice(IsolatedDatabase db, SqlDialect expected, TableNames names) {
    SchemaInstaller installer =
        SchemaInstaller.builder().dataSource(db.dataSource()).tableNames(names).build();
    assertThat(installer.dialect())
        .isIn(expected, expected == SqlDialect.MARIADB ? SqlDialect.MYSQL : expected);
    assertThat(installer.install("selftest")).containsExactly("V1__tables.sql", "V2__index.sql");
    assertThat(installer.install("selftest")).isEmpty();
    assertThat(installer.installedVersion("selftest")).isEqualTo(2);
    assertThat(installer.render("selftest"))
        .contains(names.prefix() + "selftest")
        .doesNotContain("${");
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
