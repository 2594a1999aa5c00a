package dev.keel.saga.internal;

import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.event.support.Actors;
import dev.keel.event.support.Transactions;
import dev.keel.saga.SagaAdmin;
import dev.keel.saga.SagaAuditEntry;
import dev.keel.saga.SagaPhase;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaView;
import dev.keel.saga.StepLogKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Queries and audited operator actions on the saga tables. */
public final class DefaultSagaAdmin implements SagaAdmin {
  private static final String IN_FLIGHT = "state IN ('RUNNING', 'COMPENSATING')";

  private final DataSource dataSource;
  private final SagaStore store;
  private final Clock clock;
  private final java.util.function.Supplier<String> verifiedActor;

  /**
   * An admin; use {@link SagaAdmin#builder()}.
   *
   * @param dataSource the database
   * @param dialect the dialect
   * @param names schema and prefix
   * @param clock the clock
   */
  public DefaultSagaAdmin(
      DataSource dataSource, SqlDialect dialect, TableNames names, Clock clock) {
    this(dataSource, dialect, names, clock, null);
  }

  /**
   * An admin that records a verified identity.
   *
   * @param verifiedActor the identity the deployment vouches for, or null to record the declared
   *     actor
   */
  public DefaultSagaAdmin(
      DataSource dataSource,
      SqlDialect dialect,
      TableNames names,
      Clock clock,
      java.util.function.Supplier<String> verifiedActor) {
    this.dataSource = dataSource;
    this.store = new SagaStore(dialect, names);
    this.clock = clock;
    this.verifiedActor = verifiedActor;
  }

  @Override
  public Optional<SagaView> byId(UUID id) {
    return read(
        c -> {
          List<SagaView> found = store.select(c, "id = ?", ps -> store.setId(ps, 1, id));
          if (found.isEmpty()) {
            return Optional.empty();
          }
          SagaView v = found.get(0);
          return Optional.of(
              new SagaView(
                  v.id(),
                  v.name(),
                  v.definitionVersion(),
                  v.state(),
                  v.step(),
                  v.phase(),
                  v.attempt(),
                  v.dataJson(),
                  v.dataVersion(),
                  v.deadline(),
                  v.createdAt(),
                  v.updatedAt(),
                  v.lastProgressAt(),
                  v.failureReason(),
                  v.resolvedBy(),
                  store.logOf(c, id)));
        });
  }

  @Override
  public List<SagaView> byState(SagaState state, int limit) {
    checkLimit(limit);
    return read(
        c ->
            store.select(
                c,
                "state = ? ORDER BY last_progress_at, id LIMIT " + limit,
                ps -> ps.setString(1, state.name())));
  }

  @Override
  public List<SagaView> stuck(Duration threshold, int limit) {
    checkLimit(limit);
    Instant before = clock.instant().minus(threshold);
    return read(
        c ->
            store.select(
                c,
                IN_FLIGHT
                    + " AND last_progress_at < ? ORDER BY last_progress_at, id LIMIT "
                    + limit,
                ps -> store.setTime(ps, 1, before)));
  }

  @Override
  public long countStuck(Duration threshold) {
    Instant before = clock.instant().minus(threshold);
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT COUNT(*) FROM "
                      + store.sagaTable()
                      + " WHERE "
                      + IN_FLIGHT
                      + " AND last_progress_at < ?")) {
            store.setTime(ps, 1, before);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  @Override
  public List<SagaView> compensationFailed() {
    return read(
        c ->
            store.select(
                c,
                "state = 'COMPENSATION_FAILED' AND resolved_by IS NULL"
                    + " ORDER BY last_progress_at, id LIMIT 10000",
                ps -> {}));
  }

  @Override
  public void retryCompensation(UUID id, String declared, String reason) {
    String actor = Actors.resolve(verifiedActor, declared, "SagaAdmin.retryCompensation");
    write(
        c -> {
          SagaRow row = failedRow(c, id, "retry its compensation");
          Instant now = clock.instant();
          row.state = SagaState.COMPENSATING;
          row.phase = SagaPhase.RETRY;
          row.attempt = 1;
          row.deadline = now;
          row.updatedAt = now;
          row.lastProgressAt = now;
          store.log(c, row, row.stepName, StepLogKind.OPERATOR_RETRY, "by " + actor, now);
          store.update(c, row);
          audit(c, id, "RETRY_COMPENSATION", actor, reason, now);
        });
  }

  @Override
  public void resolve(UUID id, String declared, String reason) {
    String actor = Actors.resolve(verifiedActor, declared, "SagaAdmin.resolve");
    if (reason == null || reason.isBlank()) {
      throw new KeelConfigurationException(
          "SagaAdmin.resolve: saga " + id + " needs a reason saying what was done by hand");
    }
    write(
        c -> {
          SagaRow row = failedRow(c, id, "resolve it");
          Instant now = clock.instant();
          store.log(c, row, row.stepName, StepLogKind.OPERATOR_RESOLVED, "by " + actor, now);
          row.updatedAt = now;
          store.update(c, row);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE "
                      + store.sagaTable()
                      + " SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ?")) {
            ps.setString(1, actor);
            store.setTime(ps, 2, now);
            ps.setString(3, reason);
            store.setId(ps, 4, id);
            ps.executeUpdate();
          }
          audit(c, id, "RESOLVE", actor, reason, now);
        });
  }

  @Override
  public List<SagaAuditEntry> audit(UUID id) {
    return read(
        c -> {
          List<SagaAuditEntry> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, action, actor, reason, at FROM "
                      + store.auditTable()
                      + " WHERE saga_id = ? ORDER BY id")) {
            store.setId(ps, 1, id);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new SagaAuditEntry(
                        rs.getLong(1),
                        id,
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        store.time(rs, 5)));
              }
            }
          }
          return out;
        });
  }

  private SagaRow failedRow(Connection c, UUID id, String what) throws SQLException {
    SagaRow row =
        store
            .lock(c, id)
            .orElseThrow(
                () ->
                    new NonRetriableKeelException(
                        FailureClass.VALIDATION, "Saga " + id + " does not exist"));
    if (row.state != SagaState.COMPENSATION_FAILED || row.resolvedBy != null) {
      throw new NonRetriableKeelException(
          FailureClass.VALIDATION,
          "Saga "
              + row.name
              + " "
              + id
              + " is "
              + row.state
              + (row.resolvedBy != null ? " (resolved by " + row.resolvedBy + ")" : "")
              + "; only an unresolved COMPENSATION_FAILED saga can "
              + what);
    }
    return row;
  }

  private void audit(Connection c, UUID id, String action, String actor, String reason, Instant at)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + store.auditTable()
                + " (saga_id, action, actor, reason, at) VALUES (?, ?, ?, ?, ?)")) {
      store.setId(ps, 1, id);
      ps.setString(2, action);
      ps.setString(3, actor);
      ps.setString(4, reason);
      store.setTime(ps, 5, at);
      ps.executeUpdate();
    }
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > 10_000) {
      throw new KeelConfigurationException(
          "SagaAdmin: limit must be between 1 and 10000, was " + limit);
    }
  }

  private <T> T read(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new RetriableKeelException("Saga query failed: " + e.getMessage(), e);
    }
  }

  private void write(VoidWork work) {
    try (Connection c = dataSource.getConnection()) {
      Transactions.run(
          c,
          tx -> {
            work.run(tx);
            return null;
          });
    } catch (SQLException e) {
      throw new RetriableKeelException("Saga operator action failed: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  private interface VoidWork {
    void run(Connection c) throws SQLException;
  }
}
