package dev.keel.saga.internal;

import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;

/** The {@code keel_saga_participant} rows, read and written in the delivery's transaction. */
final class ParticipantStore {
  static final String APPLIED = "ACTION_APPLIED";
  static final String FAILED = "ACTION_FAILED";
  static final String COMPENSATED = "COMPENSATED";
  static final String EMPTY = "EMPTY_COMPENSATED";

  private final SqlDialect dialect;
  private final String table;
  private final Clock clock;

  ParticipantStore(SqlDialect dialect, TableNames names, Clock clock) {
    this.dialect = dialect;
    this.table = names.sql(dialect, "saga_participant");
    this.clock = clock;
  }

  /**
   * The row's state and step token, locked for the rest of the transaction; state and token are
   * null when there is no row.
   */
  Locked lock(Connection c, String group, String saga, String step) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT action_state, step_token FROM "
                + table
                + " WHERE participant_group = ? AND saga_id = ? AND step = ?"
                + dialect.forUpdate())) {
      ps.setString(1, group);
      ps.setString(2, saga);
      ps.setString(3, step);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Locked(rs.getString(1), rs.getString(2)) : new Locked(null, null);
      }
    }
  }

  Stored stored(Connection c, String group, String saga, String step) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT reply_type, reply_payload FROM "
                + table
                + " WHERE participant_group = ? AND saga_id = ? AND step = ?")) {
      ps.setString(1, group);
      ps.setString(2, saga);
      ps.setString(3, step);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        String payload = rs.getString(2);
        return new Stored(
            rs.getString(1), (payload == null ? "{}" : payload).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /**
   * Inserts the row (when {@code previous} is null) or moves it to a new state. A concurrent insert
   * of the same row fails on the primary key, and the delivery is retried.
   */
  void put(
      Connection c,
      String group,
      String saga,
      String step,
      String previous,
      String state,
      String replyType,
      String replyPayload,
      String stepToken)
      throws SQLException {
    String sql =
        previous == null
            ? "INSERT INTO "
                + table
                + " (action_state, reply_type, reply_payload, updated_at, participant_group,"
                + " saga_id, step, step_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            : "UPDATE "
                + table
                + " SET action_state = ?, reply_type = ?, reply_payload = ?, updated_at = ?"
                + " WHERE participant_group = ? AND saga_id = ? AND step = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, state);
      ps.setString(2, replyType);
      ps.setString(3, replyPayload);
      dialect.setInstant(ps, 4, clock.instant());
      ps.setString(5, group);
      ps.setString(6, saga);
      ps.setString(7, step);
      if (previous == null) {
        ps.setString(8, stepToken);
      }
      ps.executeUpdate();
    }
  }

  /** A locked row: its state and the step token of the command that created it. */
  record Locked(String state, String token) {}

  /** A stored success reply. */
  record Stored(String replyType, byte[] payload) {}
}
