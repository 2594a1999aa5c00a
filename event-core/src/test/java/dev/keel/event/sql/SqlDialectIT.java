package dev.keel.event.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import dev.keel.test.WithDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TimeZone;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The dialect's binders against each database: an instant goes in and comes back equal, is stored
 * as its UTC wall time whatever the JVM's default zone (Asia/Tokyo while writing,
 * America/Los_Angeles while reading), and compares correctly in SQL; UUIDs, JSON, NULLs, limits,
 * row locks and the key-ignoring insert behave alike on all three.
 */
@KeelTest
class SqlDialectIT {
  private static final DateTimeFormatter WALL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  @Test
  void postgres(IsolatedDatabase db) throws Exception {
    roundTrips(db, "timestamptz", "uuid", "jsonb");
  }

  @Test
  void mariaDb(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) throws Exception {
    roundTrips(db, "DATETIME(6)", "CHAR(36)", "LONGTEXT");
  }

  @Test
  void h2(@WithDatabase(DatabaseKind.H2) IsolatedDatabase db) throws Exception {
    roundTrips(db, "TIMESTAMP WITH TIME ZONE", "UUID", "VARCHAR(1000)");
  }

  @Test
  void postgresStamped(IsolatedDatabase db) throws Exception {
    stamped(db, "timestamptz");
  }

  @Test
  void mariaDbStamped(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) throws Exception {
    stamped(db, "TIMESTAMP(6) NULL");
  }

  @Test
  void h2Stamped(@WithDatabase(DatabaseKind.H2) IsolatedDatabase db) throws Exception {
    stamped(db, "TIMESTAMP WITH TIME ZONE");
  }

  /**
   * A column of the kind the database stamps itself ({@code TIMESTAMP(6)} on MariaDB, in a session
   * at +09:00 while the JVM is at America/Los_Angeles): an instant compared with it through {@code
   * stampedInstantParameter}, read back through {@code selectStampedInstant}, is exact, and {@code
   * oldestAgeMicros} of an hour-old value is an hour on the database's clock.
   */
  private static void stamped(IsolatedDatabase db, String time) throws Exception {
    TimeZone zone = TimeZone.getDefault();
    String sessionZone = null;
    try (Connection c = db.dataSource().getConnection()) {
      SqlDialect d = SqlDialect.detect(c);
      String t = d.quote("stamped");
      try (Statement st = c.createStatement()) {
        st.execute("CREATE TABLE " + t + " (k VARCHAR(32) NOT NULL PRIMARY KEY, at " + time + ")");
        if (d.isMySqlFamily()) {
          try (ResultSet rs = st.executeQuery("SELECT @@session.time_zone")) {
            rs.next();
            sessionZone = rs.getString(1);
          }
          st.execute("SET time_zone = '+09:00'");
        }
      }
      TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
      Instant at = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MICROS);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO " + t + " (k, at) VALUES ('a', " + d.stampedInstantParameter() + ")")) {
        d.setStampedInstant(ps, 1, at);
        ps.executeUpdate();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT "
                  + d.selectStampedInstant("at")
                  + ", "
                  + d.selectStampedInstant("NULL")
                  + " FROM "
                  + t)) {
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(d.getStampedInstant(rs, 1)).isEqualTo(at);
          assertThat(d.getStampedInstant(rs, 2)).isNull();
        }
      }
      for (long deltaMicros : new long[] {-1, 0, 1}) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM " + t + " WHERE at < " + d.stampedInstantParameter())) {
          d.setStampedInstant(ps, 1, at.plus(deltaMicros, ChronoUnit.MICROS));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertThat(rs.getInt(1))
                .as("rows before at%+dµs", deltaMicros)
                .isEqualTo(deltaMicros > 0 ? 1 : 0);
          }
        }
      }
      Instant before = Instant.now();
      long ageMicros;
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT " + d.oldestAgeMicros("at") + " FROM " + t)) {
        rs.next();
        ageMicros = rs.getLong(1);
      }
      Duration age = Duration.of(ageMicros, ChronoUnit.MICROS);
      assertThat(age)
          .isBetween(
              Duration.between(at, before).minusSeconds(5),
              Duration.between(at, Instant.now()).plusSeconds(5));
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT " + d.oldestAgeMicros("at") + " FROM " + t + " WHERE 1 = 0")) {
        rs.next();
        rs.getLong(1);
        assertThat(rs.wasNull()).isTrue();
      }
      if (sessionZone != null) {
        try (PreparedStatement ps = c.prepareStatement("SET time_zone = ?")) {
          ps.setString(1, sessionZone);
          ps.executeUpdate();
        }
      }
    } finally {
      TimeZone.setDefault(zone);
    }
  }

  private static void roundTrips(IsolatedDatabase db, String time, String uuid, String json)
      throws Exception {
    TimeZone zone = TimeZone.getDefault();
    try (Connection c = db.dataSource().getConnection()) {
      SqlDialect d = SqlDialect.detect(c);
      String t = d.quote("probe");
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE "
                + t
                + " (k VARCHAR(32) NOT NULL PRIMARY KEY, at "
                + time
                + " NULL, id "
                + uuid
                + " NULL, doc "
                + json
                + " NULL)");
      }
      Instant at = TestTime.start().plusNanos(123_456_000); // microseconds survive
      UUID id = UUID.randomUUID();

      TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + t
                  + " (k, at, id, doc) VALUES (?, ?, ?, "
                  + d.jsonParameter()
                  + ")")) {
        ps.setString(1, "a");
        d.setInstant(ps, 2, at);
        d.setUuid(ps, 3, id);
        ps.setString(4, "{\"n\": 1}");
        ps.executeUpdate();
        ps.setString(1, "b");
        d.setInstant(ps, 2, null);
        d.setUuid(ps, 3, null);
        ps.setString(4, null);
        ps.executeUpdate();
      }

      TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
      try (PreparedStatement ps =
          c.prepareStatement("SELECT k, at, id FROM " + t + " ORDER BY k" + d.limit(5))) {
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(d.getInstant(rs, 2)).isEqualTo(at);
          assertThat(d.getInstant(rs, "at")).isEqualTo(at);
          assertThat(UUID.fromString(rs.getString(3))).isEqualTo(id);
          assertThat(rs.next()).isTrue();
          assertThat(d.getInstant(rs, 2)).isNull();
          assertThat(rs.getString(3)).isNull();
        }
      }
      // Stored as the UTC wall time, not the JVM's or the session's.
      assertThat(utcWallTime(c, d, t))
          .isEqualTo(WALL.format(LocalDateTime.ofInstant(at, ZoneOffset.UTC)));
      // Compares as an instant in SQL (a deadline query).
      assertThat(countAtOrBefore(c, d, t, at)).isEqualTo(1);
      assertThat(countAtOrBefore(c, d, t, at.minusNanos(1_000))).isZero();

      // The key-ignoring insert: 1 for a new key, 0 for an existing one, no error.
      String insert = d.insertIgnoring(t, List.of("k", "at"), List.of("k"));
      assertThat(insertIgnoring(c, d, insert, "c", at)).isEqualTo(1);
      assertThat(insertIgnoring(c, d, insert, "c", at)).isZero();
      assertThat(insertIgnoring(c, d, insert, "a", at)).isZero();

      // Row locks parse everywhere.
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("SELECT k FROM " + t + " WHERE k = ?" + d.forUpdateSkipLocked())) {
        ps.setString(1, "a");
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT k FROM " + t + " WHERE k = ?" + d.forUpdate())) {
        ps.setString(1, "a");
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
        }
      }
      c.commit();
      c.setAutoCommit(true);
    } finally {
      TimeZone.setDefault(zone);
    }
  }

  private static String utcWallTime(Connection c, SqlDialect d, String t) throws Exception {
    String expr;
    switch (d) {
      case POSTGRES:
        expr = "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
        break;
      case H2:
        expr = "FORMATDATETIME(at, 'yyyy-MM-dd HH:mm:ss.SSSSSS', 'en', 'UTC')";
        break;
      default:
        expr = "DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f')";
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT " + expr + " FROM " + t + " WHERE k = 'a'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static int countAtOrBefore(Connection c, SqlDialect d, String t, Instant now)
      throws Exception {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT COUNT(*) FROM " + t + " WHERE at <= ?")) {
      d.setInstant(ps, 1, now);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static int insertIgnoring(Connection c, SqlDialect d, String sql, String key, Instant at)
      throws Exception {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, key);
      d.setInstant(ps, 2, at);
      if (d.insertIgnoringRebindsKey()) {
        ps.setString(3, key);
      }
      return ps.executeUpdate();
    }
  }
}
