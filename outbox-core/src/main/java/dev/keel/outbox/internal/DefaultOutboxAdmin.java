package dev.keel.outbox.internal;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.event.support.Actors;
import dev.keel.event.support.Transactions;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.OutboxAuditEntry;
import dev.keel.outbox.QuarantinedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** The {@link OutboxAdmin}: plain JDBC on the outbox tables; each action audited in its own tx. */
public final class DefaultOutboxAdmin implements OutboxAdmin {
  private final DataSource dataSource;
  private final OutboxSql sql;
  private final String audit;
  private final Supplier<String> verifiedActor;
  private final Clock clock;

  /** Use {@link OutboxAdmin#builder()}. */
  public DefaultOutboxAdmin(
      DataSource dataSource,
      SqlDialect dialect,
      TableNames names,
      Supplier<String> verifiedActor,
      Clock clock) {
    this.dataSource = dataSource;
    this.sql = new OutboxSql(dialect, names);
    this.audit = names.sql(dialect, "outbox_audit");
    this.verifiedActor = verifiedActor;
    this.clock = clock;
  }

  @Override
  public long pending() {
    return query(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.stats());
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  @Override
  public Optional<Duration> oldestAge() {
    return query(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.stats());
              ResultSet rs = ps.executeQuery()) {
            rs.next();
            long micros = rs.getLong(2);
            return rs.wasNull()
                ? Optional.empty()
                : Optional.of(Duration.of(Math.max(0, micros), ChronoUnit.MICROS));
          }
        });
  }

  @Override
  public List<QuarantinedEvent> quarantined(int limit) {
    return query(
        c -> {
          List<QuarantinedEvent> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql.listQuarantine())) {
            ps.setInt(1, Math.max(1, Math.min(limit, 10_000)));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                byte[] payload = rs.getBytes(9);
                out.add(
                    new QuarantinedEvent(
                        UUID.fromString(rs.getString(1)),
                        rs.getInt(3),
                        rs.getString(4),
                        Optional.ofNullable(rs.getString(5)),
                        rs.getString(6),
                        rs.getInt(7),
                        payload == null ? 0 : payload.length,
                        sql.dialect.getStampedInstant(rs, 10),
                        rs.getInt(11),
                        rs.getString(12),
                        sql.dialect.getStampedInstant(rs, 13)));
              }
            }
          }
          return out;
        });
  }

  @Override
  public boolean retry(UUID eventId, String actor) {
    String who = Actors.resolve(verifiedActor, actor, "OutboxAdmin.retry");
    return inTransaction(
        c -> {
          int moved;
          if (sql.postgres()) {
            try (PreparedStatement ps = c.prepareStatement(sql.deleteQuarantinedOriginal())) {
              Jdbc.setUuid(ps, 1, eventId, sql.dialect);
              ps.executeUpdate();
            }
          }
          try (PreparedStatement ps = c.prepareStatement(sql.requeue())) {
            Jdbc.setUuid(ps, 1, eventId, sql.dialect);
            moved = ps.executeUpdate();
          }
          try (PreparedStatement ps = c.prepareStatement(sql.deleteQuarantined())) {
            Jdbc.setUuid(ps, 1, eventId, sql.dialect);
            ps.executeUpdate();
          }
          record(c, who, "retry", eventId, null, moved == 1 ? "done" : "not quarantined");
          return moved == 1;
        });
  }

  @Override
  public boolean discard(UUID eventId, String actor) {
    String who = Actors.resolve(verifiedActor, actor, "OutboxAdmin.discard");
    return inTransaction(
        c -> {
          boolean deleted;
          try (PreparedStatement ps = c.prepareStatement(sql.deleteQuarantined())) {
            Jdbc.setUuid(ps, 1, eventId, sql.dialect);
            deleted = ps.executeUpdate() == 1;
          }
          record(c, who, "discard", eventId, null, deleted ? "done" : "not quarantined");
          return deleted;
        });
  }

  @Override
  public Map<Integer, String> stoppedLanes() {
    return query(
        c -> {
          Map<Integer, String> out = new TreeMap<>();
          try (PreparedStatement ps = c.prepareStatement(sql.leases());
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              if (rs.getString(5) != null) {
                out.put(rs.getInt(1), rs.getString(5));
              }
            }
          }
          return out;
        });
  }

  @Override
  public boolean resumeLane(int lane, String actor) {
    String who = Actors.resolve(verifiedActor, actor, "OutboxAdmin.resumeLane");
    return inTransaction(
        c -> {
          boolean resumed;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + sql.lease
                      + " SET stopped = NULL WHERE lane = ? AND stopped IS NOT NULL")) {
            ps.setInt(1, lane);
            resumed = ps.executeUpdate() == 1;
          }
          record(c, who, "resume", null, lane, resumed ? "done" : "not stopped");
          return resumed;
        });
  }

  @Override
  public List<OutboxAuditEntry> audit(int limit) {
    if (limit < 1 || limit > 10_000) {
      throw new KeelConfigurationException(
          "OutboxAdmin.audit limit must be between 1 and 10000, was " + limit);
    }
    return query(
        c -> {
          List<OutboxAuditEntry> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, at, actor, action, event_id, lane, outcome FROM "
                      + audit
                      + " ORDER BY id DESC"
                      + sql.dialect.limit(limit))) {
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String event = rs.getString(5);
                int lane = rs.getInt(6);
                boolean noLane = rs.wasNull();
                out.add(
                    new OutboxAuditEntry(
                        rs.getLong(1),
                        sql.dialect.getInstant(rs, 2),
                        rs.getString(3),
                        rs.getString(4),
                        Optional.ofNullable(event).map(UUID::fromString),
                        noLane ? Optional.empty() : Optional.of(lane),
                        rs.getString(7)));
              }
            }
          }
          return out;
        });
  }

  private void record(
      Connection c, String actor, String action, UUID eventId, Integer lane, String outcome)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + audit
                + " (at, actor, action, event_id, lane, outcome) VALUES (?, ?, ?, ?, ?, ?)")) {
      sql.dialect.setInstant(ps, 1, clock.instant());
      ps.setString(2, actor);
      ps.setString(3, action);
      sql.dialect.setUuid(ps, 4, eventId);
      if (lane == null) {
        ps.setNull(5, Types.INTEGER);
      } else {
        ps.setInt(5, lane);
      }
      ps.setString(6, outcome);
      ps.executeUpdate();
    }
  }

  private <T> T inTransaction(Work<T> work) {
    return query(c -> Transactions.run(c, work::apply));
  }

  private interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  private <T> T query(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.apply(c);
    } catch (SQLException e) {
      throw new RetriableKeelException("OutboxAdmin: " + e.getMessage(), e);
    }
  }
}
