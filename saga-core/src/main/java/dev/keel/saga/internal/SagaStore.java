package dev.keel.saga.internal;

import dev.keel.event.RetriableKeelException;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.saga.SagaPhase;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaView;
import dev.keel.saga.StepLogEntry;
import dev.keel.saga.StepLogKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL of the saga tables for one dialect; every method works in the caller's transaction. */
final class SagaStore {
  static final String COLUMNS =
      "id, name, definition_version, state, step_index, step_name, phase, attempt, data,"
          + " data_version, deadline, lock_version, log_seq, created_at, updated_at,"
          + " step_started_at, last_progress_at, failure_reason, resolved_by, command_id, secret";

  private final SqlDialect dialect;
  private final String saga;
  private final String log;
  private final String audit;

  /**
   * The store.
   *
   * @param dialect the dialect
   * @param names schema and prefix
   */
  public SagaStore(SqlDialect dialect, TableNames names) {
    this.dialect = dialect;
    this.saga = names.sql(dialect, "saga");
    this.log = names.sql(dialect, "saga_step_log");
    this.audit = names.sql(dialect, "saga_audit");
  }

  SqlDialect dialect() {
    return dialect;
  }

  String auditTable() {
    return audit;
  }

  void insert(Connection c, SagaRow r) throws SQLException {
    String json = dialect.jsonParameter();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + saga
                + " ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                + json
                + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      int i = 1;
      setId(ps, i++, r.id);
      ps.setString(i++, r.name);
      ps.setInt(i++, r.definitionVersion);
      i = writeMutable(ps, i, r);
      ps.setString(i++, r.resolvedBy);
      ps.setString(i++, r.commandId);
      ps.setString(i++, r.secret);
      ps.executeUpdate();
    }
  }

  /** Writes back a row read with {@link #lock}; the lock version guards against lost updates. */
  void update(Connection c, SagaRow r) throws SQLException {
    String json = dialect.jsonParameter();
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + saga
                + " SET state = ?, step_index = ?, step_name = ?, phase = ?, attempt = ?, data = "
                + json
                + ", data_version = ?, deadline = ?, lock_version = ?, log_seq = ?, created_at = ?,"
                + " updated_at = ?, step_started_at = ?, last_progress_at = ?, failure_reason = ?"
                + ", command_id = ?, secret = ?"
                + " WHERE id = ? AND lock_version = ?")) {
      long expected = r.lockVersion;
      r.lockVersion = expected + 1;
      int i = writeMutable(ps, 1, r);
      ps.setString(i++, r.commandId);
      ps.setString(i++, r.secret);
      setId(ps, i++, r.id);
      ps.setLong(i, expected);
      if (ps.executeUpdate() != 1) {
        throw new RetriableKeelException(
            "Saga " + r.id + " was changed concurrently (lock version " + expected + ")");
      }
    }
  }

  private int writeMutable(PreparedStatement ps, int i, SagaRow r) throws SQLException {
    ps.setString(i++, r.state.name());
    ps.setInt(i++, r.stepIndex);
    ps.setString(i++, r.stepName);
    ps.setString(i++, r.phase.name());
    ps.setInt(i++, r.attempt);
    ps.setString(i++, r.dataJson);
    ps.setInt(i++, r.dataVersion);
    setTime(ps, i++, r.deadline);
    ps.setLong(i++, r.lockVersion);
    ps.setInt(i++, r.logSeq);
    setTime(ps, i++, r.createdAt);
    setTime(ps, i++, r.updatedAt);
    setTime(ps, i++, r.stepStartedAt);
    setTime(ps, i++, r.lastProgressAt);
    ps.setString(i++, SagaText.clean(r.failureReason, 4000));
    return i;
  }

  /** Reads and locks one saga row (FOR UPDATE), or empty. */
  Optional<SagaRow> lock(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + COLUMNS + " FROM " + saga + " WHERE id = ?" + dialect.forUpdate())) {
      setId(ps, 1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /**
   * Claims one in-flight saga whose deadline has passed, skipping rows other instances hold.
   * PostgreSQL, MySQL 8, MariaDB 10.6+ and H2 2.x all accept {@code FOR UPDATE SKIP LOCKED}.
   */
  Optional<SagaRow> claimDue(Connection c, Instant now) throws SQLException {
    String limit = " ORDER BY deadline LIMIT 1" + dialect.forUpdateSkipLocked();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM "
                + saga
                + " WHERE deadline IS NOT NULL AND deadline <= ? AND state IN ('RUNNING',"
                + " 'COMPENSATING')"
                + limit)) {
      setTime(ps, 1, now);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  void log(Connection c, SagaRow r, String step, StepLogKind kind, String detail, Instant at)
      throws SQLException {
    r.logSeq++;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + log
                + " (saga_id, seq, step, kind, attempt, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      setId(ps, 1, r.id);
      ps.setInt(2, r.logSeq);
      ps.setString(3, step);
      ps.setString(4, kind.name());
      ps.setInt(5, r.attempt);
      setTime(ps, 6, at);
      ps.setString(7, SagaText.clean(detail, 2000));
      ps.executeUpdate();
    }
  }

  List<StepLogEntry> logOf(Connection c, UUID id) throws SQLException {
    List<StepLogEntry> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT seq, step, kind, attempt, at, detail FROM "
                + log
                + " WHERE saga_id = ? ORDER BY seq")) {
      setId(ps, 1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new StepLogEntry(
                  rs.getInt(1),
                  rs.getString(2),
                  stored(StepLogKind.class, rs.getString(3), "kind"),
                  rs.getInt(4),
                  time(rs, 5),
                  rs.getString(6)));
        }
      }
    }
    return out;
  }

  /** Rows matching a WHERE clause (with its parameters set by the caller), as views. */
  List<SagaView> select(Connection c, String where, Binder binder) throws SQLException {
    List<SagaView> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM " + saga + " WHERE " + where)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(view(read(rs), List.of()));
        }
      }
    }
    return out;
  }

  String sagaTable() {
    return saga;
  }

  static SagaView view(SagaRow r, List<StepLogEntry> log) {
    return new SagaView(
        r.id,
        r.name,
        r.definitionVersion,
        r.state,
        r.stepName,
        r.phase,
        r.attempt,
        r.dataJson,
        r.dataVersion,
        r.deadline,
        r.createdAt,
        r.updatedAt,
        r.lastProgressAt,
        r.failureReason,
        r.resolvedBy,
        log);
  }

  private SagaRow read(ResultSet rs) throws SQLException {
    SagaRow r = new SagaRow();
    r.id = UUID.fromString(rs.getString(1));
    r.name = rs.getString(2);
    r.definitionVersion = rs.getInt(3);
    r.state = stored(SagaState.class, rs.getString(4), "state");
    r.stepIndex = rs.getInt(5);
    r.stepName = rs.getString(6);
    r.phase = stored(SagaPhase.class, rs.getString(7), "phase");
    r.attempt = rs.getInt(8);
    r.dataJson = rs.getString(9);
    r.dataVersion = rs.getInt(10);
    r.deadline = time(rs, 11);
    r.lockVersion = rs.getLong(12);
    r.logSeq = rs.getInt(13);
    r.createdAt = time(rs, 14);
    r.updatedAt = time(rs, 15);
    r.stepStartedAt = time(rs, 16);
    r.lastProgressAt = time(rs, 17);
    r.failureReason = rs.getString(18);
    r.resolvedBy = rs.getString(19);
    r.commandId = rs.getString(20);
    r.secret = rs.getString(21);
    return r;
  }

  void setId(PreparedStatement ps, int i, UUID id) throws SQLException {
    dialect.setUuid(ps, i, id);
  }

  void setTime(PreparedStatement ps, int i, Instant at) throws SQLException {
    dialect.setInstant(ps, i, at);
  }

  Instant time(ResultSet rs, int i) throws SQLException {
    return dialect.getInstant(rs, i);
  }

  /**
   * A stored name read back as its enum: the enums' names are the stored values, mapped here and in
   * the writes above only.
   */
  private static <E extends Enum<E>> E stored(Class<E> type, String value, String column) {
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalStateException(
          "Saga table column " + column + " holds " + value + ", not a " + type.getSimpleName(), e);
    }
  }

  static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  /** Sets the parameters of a query. */
  @FunctionalInterface
  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }
}
