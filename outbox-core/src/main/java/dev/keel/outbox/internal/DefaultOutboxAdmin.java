package dev.keel.outbox.internal;

import dev.keel.event.RetriableKeelException;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.QuarantinedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/** The {@link OutboxAdmin}: plain JDBC on the outbox tables. */
public final class DefaultOutboxAdmin implements OutboxAdmin {
  private final DataSource dataSource;
  private final OutboxSql sql;

  /** Use {@link OutboxAdmin#create}. */
  public DefaultOutboxAdmin(DataSource dataSource, SqlDialect dialect, TableNames names) {
    this.dataSource = dataSource;
    this.sql = new OutboxSql(dialect, names);
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
            Timestamp t = rs.getTimestamp(2);
            return t == null
                ? Optional.empty()
                : Optional.of(Duration.between(t.toInstant(), Instant.now()));
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
                        rs.getTimestamp(10).toInstant(),
                        rs.getInt(11),
                        rs.getString(12),
                        rs.getTimestamp(13).toInstant()));
              }
            }
          }
          return out;
        });
  }

  @Override
  public boolean retry(UUID eventId) {
    return query(
        c -> {
          c.setAutoCommit(false);
          try {
            int moved;
            try (PreparedStatement ps = c.prepareStatement(sql.requeue())) {
              Jdbc.setUuid(ps, 1, eventId, sql.dialect);
              moved = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(sql.deleteQuarantined())) {
              Jdbc.setUuid(ps, 1, eventId, sql.dialect);
              ps.executeUpdate();
            }
            c.commit();
            return moved == 1;
          } catch (SQLException e) {
            c.rollback();
            throw e;
          }
        });
  }

  @Override
  public boolean discard(UUID eventId) {
    return query(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.deleteQuarantined())) {
            Jdbc.setUuid(ps, 1, eventId, sql.dialect);
            boolean deleted = ps.executeUpdate() == 1;
            if (!c.getAutoCommit()) {
              c.commit();
            }
            return deleted;
          }
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
  public boolean resumeLane(int lane) {
    return query(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + sql.lease
                      + " SET stopped = NULL WHERE lane = ? AND stopped IS NOT NULL")) {
            ps.setInt(1, lane);
            boolean resumed = ps.executeUpdate() == 1;
            if (!c.getAutoCommit()) {
              c.commit();
            }
            return resumed;
          }
        });
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
