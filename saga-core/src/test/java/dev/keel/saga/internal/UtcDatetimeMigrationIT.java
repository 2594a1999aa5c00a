package dev.keel.saga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import dev.keel.test.WithDatabase;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A MariaDB installation made before times became UTC {@code DATETIME(6)} (saga scripts V1–V2,
 * consumer V1, {@code TIMESTAMP(6)} columns) upgrades on {@code install()}: every column becomes
 * {@code DATETIME(6)} and rows written at a known instant read back equal through the stores,
 * although the upgrading session runs at +09:00; the session gets its zone back afterwards.
 */
@KeelTest
class UtcDatetimeMigrationIT {
  private static final DateTimeFormatter WALL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  @Test
  void upgradesOnMariaDb(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) throws Exception {
    Instant at = TestTime.start().plusNanos(246_813_000);
    UUID id = UUID.randomUUID();
    try (Connection session = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      try (Statement st = session.createStatement()) {
        st.execute("SET time_zone = '+09:00'");
      }
      DataSource ds = sharing(session);
      SchemaInstaller before =
          SchemaInstaller.builder().dataSource(ds).classLoader(beforeUtcDatetime()).build();
      assertThat(before.install("saga"))
          .containsExactly("V1__saga.sql", "V2__reply_authentication.sql");
      assertThat(before.install("consumer")).containsExactly("V1__dedupe.sql");
      legacyRows(session, id, at);

      SchemaInstaller now = SchemaInstaller.builder().dataSource(ds).build();
      assertThat(now.install("saga")).containsExactly("V3__utc_datetime.sql");
      assertThat(now.install("consumer")).containsExactly("V2__utc_datetime.sql");
      assertThat(scalar(session, "SELECT @@session.time_zone")).isEqualTo("+09:00");

      assertThat(timeColumnTypes(session)).containsOnly("datetime");
      SqlDialect d = SqlDialect.MARIADB;
      TableNames names = TableNames.defaults();
      SagaRow row = new SagaStore(d, names).lock(session, id).orElseThrow();
      assertThat(row.deadline).isEqualTo(at);
      assertThat(row.createdAt).isEqualTo(at.minusSeconds(60));
      assertThat(row.lastProgressAt).isEqualTo(at.minusSeconds(60));
      assertThat(instant(session, d, "SELECT updated_at FROM keel_saga_participant")).isEqualTo(at);
      assertThat(instant(session, d, "SELECT processed_at FROM keel_consumer_dedupe"))
          .isEqualTo(at);
      assertThat(
              scalar(
                  session, "SELECT DATE_FORMAT(deadline, '%Y-%m-%d %H:%i:%s.%f') FROM keel_saga"))
          .isEqualTo(WALL.format(LocalDateTime.ofInstant(at, ZoneOffset.UTC)));
    }
  }

  /** Rows as the earlier code stored them: TIMESTAMP values taken in the session's zone. */
  private static void legacyRows(Connection c, UUID id, Instant at) throws Exception {
    String wall = WALL.format(LocalDateTime.ofInstant(at, ZoneOffset.ofHours(9)));
    String created =
        WALL.format(LocalDateTime.ofInstant(at.minusSeconds(60), ZoneOffset.ofHours(9)));
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO keel_saga (id, name, definition_version, state, step_index, step_name,"
                + " phase, attempt, data, data_version, deadline, lock_version, log_seq,"
                + " created_at, updated_at, step_started_at, last_progress_at) VALUES"
                + " (?, 'legacy', 1, 'RUNNING', 0, 's1', 'AWAIT', 1, '{}', 1, ?, 0, 0, ?, ?, ?, ?)")) {
      ps.setString(1, id.toString());
      ps.setString(2, wall);
      for (int i = 3; i <= 6; i++) {
        ps.setString(i, created);
      }
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO keel_saga_participant (participant_group, saga_id, step, action_state,"
                + " updated_at) VALUES ('g', ?, 's1', 'ACTION_APPLIED', ?)")) {
      ps.setString(1, id.toString());
      ps.setString(2, wall);
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO keel_consumer_dedupe (consumer_group, event_id, processed_at)"
                + " VALUES ('g', ?, ?)")) {
      ps.setString(1, id.toString());
      ps.setString(2, wall);
      ps.executeUpdate();
    }
  }

  private static List<String> timeColumnTypes(Connection c) throws Exception {
    List<String> types = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT LOWER(DATA_TYPE) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA ="
                    + " DATABASE() AND TABLE_NAME IN ('keel_saga', 'keel_saga_step_log',"
                    + " 'keel_saga_audit', 'keel_saga_participant', 'keel_consumer_dedupe') AND"
                    + " (COLUMN_NAME IN ('deadline', 'at', 'processed_at') OR COLUMN_NAME LIKE"
                    + " '%\\_at')")) {
      while (rs.next()) {
        types.add(rs.getString(1));
      }
    }
    assertThat(types).hasSize(10);
    return types;
  }

  private static Instant instant(Connection c, SqlDialect d, String sql) throws Exception {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return d.getInstant(rs, 1);
    }
  }

  private static String scalar(Connection c, String sql) throws Exception {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** A data source that hands out the one session (whose close it ignores). */
  private static DataSource sharing(Connection session) {
    Connection unclosable =
        (Connection)
            Proxy.newProxyInstance(
                UtcDatetimeMigrationIT.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) ->
                    method.getName().equals("close") ? null : method.invoke(session, args));
    return (DataSource)
        Proxy.newProxyInstance(
            UtcDatetimeMigrationIT.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                return unclosable;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  /** The scripts as an installation before this change had them. */
  private static ClassLoader beforeUtcDatetime() {
    return new ClassLoader(UtcDatetimeMigrationIT.class.getClassLoader()) {
      @Override
      public InputStream getResourceAsStream(String name) {
        if (name.endsWith("/saga/index")) {
          return stream("V1__saga.sql\nV2__reply_authentication.sql\n");
        }
        if (name.endsWith("/consumer/index")) {
          return stream("V1__dedupe.sql\n");
        }
        return super.getResourceAsStream(name);
      }
    };
  }

  private static InputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
