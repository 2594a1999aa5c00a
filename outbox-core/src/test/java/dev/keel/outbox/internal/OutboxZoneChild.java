package dev.keel.outbox.internal;

import dev.keel.event.Event;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.QuarantinedEvent;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A JVM of {@link OutboxZonesIT}, run with {@code -Duser.timezone}: {@code write} appends one event
 * and quarantines a copy of it with the relay's statement (the outbox row stays, waiting); both
 * modes then print, as {@code key=value} lines, what {@link OutboxAdmin} reads, with an admin clock
 * a day ahead of the system's.
 *
 * <p>Arguments: mode, jdbcUrl, user, password.
 */
public final class OutboxZoneChild {
  private OutboxZoneChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    DataSource ds = dataSource(args[1], args[2], args[3]);
    System.out.println("zone=" + ZoneId.systemDefault());
    if (mode.equals("write")) {
      write(ds);
    }
    read(ds, mode.equals("read")).forEach((k, v) -> System.out.println(k + "=" + v));
  }

  /**
   * What the admin reads, with a clock a day ahead, and how many published rows the relay's purge
   * takes with a cutoff a minute before now and, when {@code purge}, a minute after now.
   */
  static Map<String, String> read(DataSource ds, boolean purge) throws Exception {
    OutboxAdmin admin =
        OutboxAdmin.builder()
            .dataSource(ds)
            .clock(Clock.offset(Clock.systemUTC(), Duration.ofDays(1)))
            .build();
    QuarantinedEvent q = admin.quarantined(10).get(0);
    Map<String, String> out = new LinkedHashMap<>();
    out.put("createdAt", q.createdAt().toString());
    out.put("quarantinedAt", q.quarantinedAt().toString());
    out.put("pending", String.valueOf(admin.pending()));
    out.put("oldestAge", admin.oldestAge().orElseThrow().toString());
    OutboxSql sql;
    try (Connection c = ds.getConnection()) {
      sql = new OutboxSql(SqlDialect.detect(c), TableNames.defaults());
    }
    Instant now = Instant.now();
    out.put(
        "purgedMinuteAgo",
        String.valueOf(DefaultOutboxRelay.purgePublished(ds, sql, now.minusSeconds(60))));
    if (purge) {
      out.put(
          "purgedMinuteAhead",
          String.valueOf(DefaultOutboxRelay.purgePublished(ds, sql, now.plusSeconds(60))));
    }
    return out;
  }

  /**
   * Appends an event, quarantines a copy with the relay's statement and records it as published
   * (the database stamps every time); the outbox row stays, waiting.
   */
  static void write(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection()) {
      SqlDialect d = SqlDialect.detect(c);
      OutboxSql sql = new OutboxSql(d, TableNames.defaults());
      c.setAutoCommit(false);
      UUID id =
          Outbox.builder()
              .build()
              .append(
                  c,
                  Event.builder()
                      .type("zones.checked")
                      .topic("zones")
                      .key("k")
                      .source("zones")
                      .payload(new byte[] {1})
                      .build());
      c.commit();
      long row;
      int lane;
      try (PreparedStatement ps =
          c.prepareStatement("SELECT id, lane FROM " + sql.outbox + " WHERE event_id = ?")) {
        d.setUuid(ps, 1, id);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          row = rs.getLong(1);
          lane = rs.getInt(2);
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO " + sql.lease + " (lane, owner, epoch) VALUES (?, 'zones', 1)")) {
        ps.setInt(1, lane);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(sql.quarantine())) {
        ps.setString(1, "rejected");
        ps.setLong(2, row);
        ps.setInt(3, lane);
        ps.setString(4, "zones");
        ps.setLong(5, 1);
        ps.executeUpdate();
      }
      String columns =
          "lane, event_id, topic, event_key, event_type, contract_version, headers, payload,"
              + " created_at";
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + sql.published
                  + " (id, "
                  + columns
                  + ") SELECT id, "
                  + columns
                  + " FROM "
                  + sql.outbox
                  + " WHERE id = ?")) {
        ps.setLong(1, row);
        ps.executeUpdate();
      }
      c.commit();
    }
  }

  /** Connections straight from the driver, each in this JVM's default zone. */
  private static DataSource dataSource(String url, String user, String password) {
    return (DataSource)
        Proxy.newProxyInstance(
            OutboxZoneChild.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, margs) -> {
              if (method.getName().equals("getConnection")) {
                return DriverManager.getConnection(url, user, password);
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
