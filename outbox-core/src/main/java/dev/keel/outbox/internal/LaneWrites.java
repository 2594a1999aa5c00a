package dev.keel.outbox.internal;

import dev.keel.outbox.CleanupMode;
import dev.keel.outbox.OutboxRelayListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's writes after a pass: acknowledged rows removed under each lane's fencing epoch,
 * poison rows quarantined, strict lanes stopped, failed attempts counted.
 */
final class LaneWrites {
  private static final Logger log = LoggerFactory.getLogger(LaneWrites.class);
  private final DataSource dataSource;
  private final OutboxSql sql;
  private final RelayConfig config;
  private final LeaseManager leases;
  private final String owner;
  private final OutboxRelayListener listener;

  LaneWrites(
      DataSource dataSource, OutboxSql sql, RelayConfig config, LeaseManager leases, String owner) {
    this.dataSource = dataSource;
    this.sql = sql;
    this.config = config;
    this.leases = leases;
    this.owner = owner;
    this.listener = config.listener();
  }

  /**
   * Deletes (or moves) every lane's acknowledged rows in one transaction, one statement per lane
   * fenced by that lane's epoch. Returns the lanes whose rows are gone; a lane taken over by
   * another instance meanwhile is dropped and its rows are left to the new owner.
   */
  Set<OwnedLane> removeAll(Map<OwnedLane, BatchSender.Outcome> outcomes) throws SQLException {
    Set<OwnedLane> done = new HashSet<>();
    boolean mark = config.cleanupMode() == CleanupMode.MARK_PUBLISHED;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      if (sql.dialect.isMySqlFamily()) {
        // InnoDB at REPEATABLE READ would lock the gap after each lane's last row, where appenders
        // insert, and wait on an appender's uncommitted row next to it: deadlocks with appenders
        // that write to two lanes. READ COMMITTED locks the deleted rows only.
        try (Statement st = c.createStatement()) {
          st.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
        }
      }
      Map<OwnedLane, Integer> counts = new java.util.LinkedHashMap<>();
      for (Map.Entry<OwnedLane, BatchSender.Outcome> e : outcomes.entrySet()) {
        List<Row> acked = e.getValue().acked;
        if (e.getValue().outage() || acked.isEmpty()) {
          continue;
        }
        long[] ids = acked.stream().mapToLong(Row::id).toArray();
        if (mark && !sql.postgres() && !lockLease(c, e.getKey())) {
          counts.put(e.getKey(), 0); // taken over: the new owner moves the rows
          continue;
        }
        int count;
        try (PreparedStatement ps =
            c.prepareStatement(mark ? sql.markPublished(ids.length) : sql.delete(ids.length))) {
          count = bindFenced(ps, e.getKey(), ids);
        }
        if (mark && !sql.postgres()) {
          RelayHooks.reach(RelayHooks.Point.MARKED_NOT_DELETED);
          try (PreparedStatement ps = c.prepareStatement(sql.delete(ids.length))) {
            count = bindFenced(ps, e.getKey(), ids);
          }
        }
        counts.put(e.getKey(), count);
      }
      c.commit();
      for (Map.Entry<OwnedLane, Integer> e : counts.entrySet()) {
        OwnedLane lane = e.getKey();
        int expected = outcomes.get(lane).acked.size();
        if (e.getValue() < expected) {
          log.warn(
              "OutboxRelay {}: lane {} epoch {} was taken over; {} published rows left to the new owner",
              owner,
              lane.lane,
              lane.epoch,
              expected - e.getValue());
          leases.drop(lane);
        } else {
          done.add(lane);
        }
      }
    }
    return done;
  }

  /**
   * MySQL, markPublished: copying the rows and deleting them are two statements, each fenced by the
   * epoch; holding the lease row makes a takeover wait until both are committed, so the copy is
   * never kept without the delete.
   */
  private boolean lockLease(Connection c, OwnedLane lane) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.lockLease())) {
      ps.setInt(1, lane.lane);
      ps.setString(2, owner);
      ps.setLong(3, lane.epoch);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  int bindFenced(PreparedStatement ps, OwnedLane lane, long[] ids) throws SQLException {
    ps.setInt(1, lane.lane);
    int i = Jdbc.setIds(ps, 2, ids, sql.dialect);
    ps.setInt(i, lane.lane);
    ps.setString(i + 1, owner);
    ps.setLong(i + 2, lane.epoch);
    return ps.executeUpdate();
  }

  /**
   * Cursor claims: moves lanes' cursors in one statement, each fenced by its lane's epoch. A lane
   * taken over by another instance meanwhile is dropped (the new owner goes on from the cursor it
   * read); the others' in-memory cursors move.
   */
  void moveCursors(Map<OwnedLane, Long> moves) throws SQLException {
    moves = new java.util.LinkedHashMap<>(moves);
    moves.keySet().removeIf(lane -> lane.revoked); // given up or released: the new owner moves it
    if (moves.isEmpty()) {
      return;
    }
    Integer[] lanes = new Integer[moves.size()];
    Long[] cursors = new Long[moves.size()];
    Long[] epochs = new Long[moves.size()];
    int i = 0;
    for (Map.Entry<OwnedLane, Long> e : moves.entrySet()) {
      lanes[i] = e.getKey().lane;
      cursors[i] = e.getValue();
      epochs[i++] = e.getKey().epoch;
    }
    Set<Integer> moved = new HashSet<>();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement(sql.moveCursors())) {
        ps.setArray(1, c.createArrayOf("int4", lanes));
        ps.setArray(2, c.createArrayOf("int8", cursors));
        ps.setArray(3, c.createArrayOf("int8", epochs));
        ps.setString(4, owner);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            moved.add(rs.getInt(1));
          }
        }
      }
    }
    RelayHooks.reach(RelayHooks.Point.BATCH_SETTLED);
    for (Map.Entry<OwnedLane, Long> e : moves.entrySet()) {
      OwnedLane lane = e.getKey();
      if (moved.contains(lane.lane)) {
        lane.cursor = Math.max(lane.cursor, e.getValue());
      } else {
        log.warn(
            "OutboxRelay {}: lane {} epoch {} was taken over; the new owner goes on from the"
                + " cursor it read",
            owner,
            lane.lane,
            lane.epoch);
        leases.drop(lane);
      }
    }
  }

  /**
   * Cursor claims: removes (or moves to the published table) the rows of each lane up to its
   * persisted cursor that are still in the outbox; returns how many. The range below every lane's
   * cursor goes in one statement over the primary key; what each lane has beyond it, lane by lane.
   */
  int cleanUp(List<OwnedLane> lanes) throws SQLException {
    if (lanes.isEmpty()) {
      return 0;
    }
    boolean mark = config.cleanupMode() == CleanupMode.MARK_PUBLISHED;
    long[] upTo = new long[lanes.size()];
    long below = Long.MAX_VALUE;
    long from = Long.MAX_VALUE;
    for (int i = 0; i < upTo.length; i++) {
      upTo[i] = lanes.get(i).cursor; // read once: the worker may move it meanwhile
      below = Math.min(below, upTo[i]);
      from = Math.min(from, lanes.get(i).cleanedTo);
    }
    int removed = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      if (below > from) {
        try (PreparedStatement ps = c.prepareStatement(sql.cleanUpRange(mark))) {
          ps.setLong(1, from);
          ps.setLong(2, below);
          ps.setArray(3, c.createArrayOf("int4", lanes.stream().map(l -> l.lane).toArray()));
          removed += ps.executeUpdate();
        }
        for (OwnedLane lane : lanes) {
          lane.cleanedTo = Math.max(lane.cleanedTo, below);
        }
      }
      for (int i = 0; i < upTo.length; i++) {
        OwnedLane lane = lanes.get(i);
        if (upTo[i] <= lane.cleanedTo) {
          continue;
        }
        try (PreparedStatement ps = c.prepareStatement(sql.cleanUpTo(mark))) {
          ps.setInt(1, lane.lane);
          ps.setLong(2, lane.cleanedTo);
          ps.setLong(3, upTo[i]);
          removed += ps.executeUpdate();
        }
        lane.cleanedTo = upTo[i];
      }
    }
    return removed;
  }

  boolean quarantine(OwnedLane lane, Row row, String error) throws SQLException {
    if (config.cursorClaims()) {
      return quarantineCopy(lane, row, error);
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      int moved;
      try (PreparedStatement ps = c.prepareStatement(sql.quarantine())) {
        moved = bindQuarantine(ps, lane, row, error);
      }
      if (moved == 1) {
        try (PreparedStatement ps = c.prepareStatement(sql.deleteOne())) {
          ps.setLong(1, row.id());
          ps.executeUpdate();
        }
      }
      c.commit();
      if (moved == 1) {
        logQuarantined(lane, row, error);
      }
      return moved == 1;
    }
  }

  /**
   * Cursor claims: copies the row to the quarantine under the lane's epoch and leaves it in the
   * outbox, where the cursor moves past it. True when the row is in the quarantine now or was
   * before (an earlier owner copied it and lost the lane before its cursor moved).
   */
  private boolean quarantineCopy(OwnedLane lane, Row row, String error) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      int copied;
      try (PreparedStatement ps = c.prepareStatement(sql.quarantineCopy())) {
        copied = bindQuarantine(ps, lane, row, error);
      }
      if (copied == 1) {
        logQuarantined(lane, row, error);
        return true;
      }
      try (PreparedStatement ps = c.prepareStatement(sql.isQuarantined())) {
        ps.setObject(1, row.eventId());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    }
  }

  /** Binds and runs a quarantine statement ({@link OutboxSql#quarantine()}'s parameters). */
  private int bindQuarantine(PreparedStatement ps, OwnedLane lane, Row row, String error)
      throws SQLException {
    ps.setString(1, error);
    ps.setLong(2, row.id());
    ps.setInt(3, lane.lane);
    ps.setString(4, owner);
    ps.setLong(5, lane.epoch);
    return ps.executeUpdate();
  }

  private void logQuarantined(OwnedLane lane, Row row, String error) {
    log.error(
        "OutboxRelay {}: event {} ({}) to topic {} on lane {} can never be published and was quarantined: {}",
        owner,
        row.eventId(),
        row.type(),
        row.topic(),
        lane.lane,
        error);
    Listeners.safely(
        owner, () -> listener.onQuarantined(lane.lane, row.eventId(), row.topic(), error));
  }

  void stopLane(OwnedLane lane, Row row, String error) throws SQLException {
    String reason = "event " + row.eventId() + " quarantined: " + error;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.stopLane())) {
      ps.setString(1, reason);
      ps.setInt(2, lane.lane);
      ps.executeUpdate();
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
    lane.stopped = reason;
    log.error(
        "OutboxRelay {}: strictly ordered lane {} stopped; resume it with OutboxAdmin.resumeLane({}) once"
            + " event {} was retried or discarded",
        owner,
        lane.lane,
        lane.lane,
        row.eventId());
    Listeners.safely(owner, () -> listener.onLaneStopped(lane.lane, reason));
  }

  void recordAttempt(Row row, String error) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.recordAttempt())) {
      ps.setString(1, error);
      ps.setLong(2, row.id());
      ps.executeUpdate();
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
  }
}
