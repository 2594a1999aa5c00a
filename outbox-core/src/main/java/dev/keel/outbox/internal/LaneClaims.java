package dev.keel.outbox.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the next batch of each lane, in id order, stopping at the first row the commit-order fence
 * holds back.
 */
final class LaneClaims {
  private static final Logger log = LoggerFactory.getLogger(LaneClaims.class);
  private final DataSource dataSource;
  private final OutboxSql sql;
  private final int batchSize;
  private final long maxBytes;
  private final int laneCount;
  private final XidHorizon horizon;
  private final InnoDbFence innoDbFence;
  private final String owner;

  LaneClaims(
      DataSource dataSource,
      OutboxSql sql,
      int batchSize,
      long maxBytes,
      int laneCount,
      XidHorizon horizon,
      InnoDbFence innoDbFence,
      String owner) {
    this.dataSource = dataSource;
    this.sql = sql;
    this.batchSize = batchSize;
    this.maxBytes = maxBytes;
    this.laneCount = laneCount;
    this.horizon = horizon;
    this.innoDbFence = innoDbFence;
    this.owner = owner;
  }

  /**
   * Each lane's next batch, lane by lane from the first lane at or after {@code start}, within the
   * pass's byte budget.
   */
  Map<OwnedLane, List<Row>> claimEach(List<OwnedLane> lanes, int start) throws SQLException {
    Map<OwnedLane, List<Row>> out = new java.util.LinkedHashMap<>();
    List<OwnedLane> order = new ArrayList<>(lanes);
    order.sort(java.util.Comparator.comparingInt(l -> Math.floorMod(l.lane - start, laneCount)));
    long left = maxBytes;
    for (OwnedLane lane : order) {
      if (left <= 0) {
        break;
      }
      List<Row> rows = claim(lane, left, out.isEmpty());
      if (!rows.isEmpty()) {
        out.put(lane, rows);
        for (Row r : rows) {
          left -= r.payload().length;
        }
      }
    }
    return out;
  }

  /**
   * PostgreSQL: every lane's next batch in one round trip (a lateral join over the lanes), within
   * the pass's byte budget counted from the first lane at or after {@code start}.
   */
  Map<OwnedLane, List<Row>> claimAll(List<OwnedLane> lanes, int start) throws SQLException {
    Map<OwnedLane, List<Row>> out = new java.util.LinkedHashMap<>();
    if (lanes.isEmpty()) {
      return out;
    }
    Map<Integer, OwnedLane> byNumber = new java.util.HashMap<>();
    Integer[] numbers = new Integer[lanes.size()];
    Long[] after = new Long[lanes.size()];
    for (int i = 0; i < lanes.size(); i++) {
      OwnedLane lane = lanes.get(i);
      horizon.settle(lane);
      byNumber.put(lane.lane, lane);
      numbers[i] = lane.lane;
      after[i] = lane.safeId;
    }
    Set<Integer> cut = new HashSet<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.claimLanesWithin())) {
      ps.setArray(1, c.createArrayOf("int4", numbers));
      ps.setArray(2, c.createArrayOf("int8", after));
      ps.setInt(3, batchSize);
      ps.setInt(4, laneCount - Math.floorMod(start, laneCount));
      ps.setInt(5, laneCount);
      ps.setLong(6, maxBytes);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int number = rs.getInt(1);
          if (cut.contains(number)) {
            continue;
          }
          if (!rs.getBoolean(12)) {
            cut.add(number); // a transaction that may still commit an earlier row is in flight
            continue;
          }
          out.computeIfAbsent(byNumber.get(number), k -> new ArrayList<>())
              .add(
                  new Row(
                      rs.getLong(2),
                      UUID.fromString(rs.getString(3)),
                      rs.getString(4),
                      rs.getString(5),
                      rs.getString(6),
                      rs.getInt(7),
                      rs.getString(8),
                      rs.getBytes(9),
                      rs.getTimestamp(10).getTime(),
                      rs.getInt(11)));
        }
      }
    }
    return out;
  }

  /** A lane's next rows within {@code budget} bytes; {@code alone}: a larger first row comes. */
  List<Row> claim(OwnedLane lane, long budget, boolean alone) throws SQLException {
    if (horizon != null) {
      horizon.settle(lane);
    }
    List<Row> rows = new ArrayList<>(batchSize);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.claimWithin())) {
      int p = 1;
      if (innoDbFence != null) {
        ps.setTimestamp(p++, innoDbFence.cutoff());
      }
      ps.setInt(p++, lane.lane);
      // Without a horizon (MySQL, H2) every claim starts at the front of the lane.
      ps.setLong(p++, horizon != null ? lane.safeId : 0);
      ps.setInt(p++, batchSize);
      ps.setLong(p++, budget);
      ps.setLong(p, alone ? 1 : 0);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (!rs.getBoolean(11)) {
            log.debug(
                "OutboxRelay {}: lane {} waits for an older transaction before row {}",
                owner,
                lane.lane,
                rs.getLong(1));
            break; // a transaction that may still commit an earlier row is in flight
          }
          rows.add(
              new Row(
                  rs.getLong(1),
                  UUID.fromString(rs.getString(2)),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getInt(6),
                  rs.getString(7),
                  rs.getBytes(8),
                  rs.getTimestamp(9).getTime(),
                  rs.getInt(10)));
        }
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
    return rows;
  }
}
