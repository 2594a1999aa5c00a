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
 * holds back, within the pass's byte budget.
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
    RelayHooks.reach(RelayHooks.Point.CLAIM_STARTED);
    Map<OwnedLane, List<Row>> out = new java.util.LinkedHashMap<>();
    List<OwnedLane> order = inPassOrder(lanes, start);
    long left = maxBytes;
    for (OwnedLane lane : order) {
      if (left <= 0) {
        break; // the lanes not claimed now come first in a later pass; their horizon is untouched
      }
      List<Row> rows = claim(lane, left, out.isEmpty());
      if (!rows.isEmpty()) {
        out.put(lane, rows);
        for (Row r : rows) {
          left -= r.payload().length;
        }
      }
    }
    RelayHooks.reach(RelayHooks.Point.CLAIM_DONE);
    return out;
  }

  /** The lanes from the first at or after {@code start}, wrapping around. */
  private List<OwnedLane> inPassOrder(List<OwnedLane> lanes, int start) {
    List<OwnedLane> order = new ArrayList<>(lanes);
    order.sort(java.util.Comparator.comparingInt(l -> Math.floorMod(l.lane - start, laneCount)));
    return order;
  }

  /**
   * PostgreSQL: every lane's next batch in one round trip (a lateral join over the lanes), within
   * the pass's byte budget counted from the first lane at or after {@code start}.
   */
  Map<OwnedLane, List<Row>> claimAll(List<OwnedLane> lanes, int start) throws SQLException {
    return claimPass(lanes, List.of(), start);
  }

  /**
   * PostgreSQL: one pass's claims within the pass's byte budget: first the lanes in {@code apart},
   * each read on its own (a lateral join over them, lane by lane from the first at or after {@code
   * start}, at most a batch each), then the lanes in {@code inIdOrder} in one scan in id order
   * across them (at most a batch per lane in all, any lane taking any share of it).
   *
   * <p>Rows past the budget are still read, without their payload: the horizon needs the lowest id
   * each claim read, and a lane whose rows were all left for a later pass must not look empty to it
   * (it would move the lane's safe id past a row it never claimed). For the same reason a lane with
   * no row in a scan that stopped at its limit has no row only up to the last id the scan read
   * ({@link #firstIdOfLaneNotRead}).
   */
  Map<OwnedLane, List<Row>> claimPass(List<OwnedLane> apart, List<OwnedLane> inIdOrder, int start)
      throws SQLException {
    RelayHooks.reach(RelayHooks.Point.CLAIM_STARTED);
    Map<OwnedLane, List<Row>> out = new java.util.LinkedHashMap<>();
    long left = maxBytes;
    if (!apart.isEmpty()) {
      left -= claimEachApart(apart, start, out);
    }
    if (!inIdOrder.isEmpty() && left > 0) {
      claimInIdOrder(inIdOrder, left, out);
    }
    RelayHooks.reach(RelayHooks.Point.CLAIM_DONE);
    return out;
  }

  /** The lateral join: returns the payload bytes claimed. */
  private long claimEachApart(List<OwnedLane> lanes, int start, Map<OwnedLane, List<Row>> out)
      throws SQLException {
    Integer[] numbers = new Integer[lanes.size()];
    Long[] after = new Long[lanes.size()];
    List<OwnedLane> order = inPassOrder(lanes, start);
    for (int i = 0; i < order.size(); i++) {
      OwnedLane lane = order.get(i);
      horizon.beforeClaim(lane);
      numbers[i] = lane.lane;
      after[i] = lane.safeId;
    }
    Scan scan = new Scan(lanes);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.claimLanesWithin())) {
      ps.setArray(1, c.createArrayOf("int4", numbers));
      ps.setArray(2, c.createArrayOf("int8", after));
      ps.setInt(3, batchSize);
      ps.setLong(4, maxBytes);
      scan.read(ps, out);
    }
    for (OwnedLane lane : lanes) {
      horizon.afterClaim(lane, scan.firstIds.getOrDefault(lane.lane, Long.MAX_VALUE));
    }
    return scan.bytes;
  }

  /** The scan in id order across the lanes, within {@code budget} bytes. */
  private void claimInIdOrder(List<OwnedLane> lanes, long budget, Map<OwnedLane, List<Row>> out)
      throws SQLException {
    Integer[] numbers = new Integer[lanes.size()];
    long after = Long.MAX_VALUE;
    for (int i = 0; i < lanes.size(); i++) {
      OwnedLane lane = lanes.get(i);
      horizon.beforeClaim(lane);
      numbers[i] = lane.lane;
      after = Math.min(after, lane.safeId);
    }
    int limit = (int) Math.min(Integer.MAX_VALUE, (long) batchSize * lanes.size());
    Scan scan = new Scan(lanes);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.claimInIdOrder())) {
      ps.setLong(1, after);
      ps.setArray(2, c.createArrayOf("int4", numbers));
      ps.setInt(3, limit);
      ps.setLong(4, budget);
      ps.setBoolean(5, out.isEmpty());
      scan.read(ps, out);
    }
    for (OwnedLane lane : lanes) {
      Long first = scan.firstIds.get(lane.lane);
      horizon.afterClaim(
          lane, first != null ? first : firstIdOfLaneNotRead(scan.read, limit, scan.lastId));
    }
  }

  /**
   * What a scan in id order across lanes tells of a lane it read no row of: if the scan stopped at
   * its limit, only that the lane has no row up to the last id read, so its rows may start right
   * after it; else that it has none at all ({@link Long#MAX_VALUE}). Taking the first for the
   * second would let the horizon move the lane's safe id past a late-committed row beyond the
   * scan's end.
   *
   * @param read how many rows the scan read
   * @param limit the scan's limit
   * @param lastRead the last (highest) id it read
   */
  static long firstIdOfLaneNotRead(int read, int limit, long lastRead) {
    return read >= limit ? lastRead + 1 : Long.MAX_VALUE;
  }

  /** The rows of one claim statement, read lane by lane up to what the fence or budget holds. */
  private final class Scan {
    final Map<Integer, OwnedLane> byNumber = new java.util.HashMap<>();
    final Map<Integer, Long> firstIds = new java.util.HashMap<>();
    final Set<Integer> cut = new HashSet<>();
    long bytes;
    int read;
    long lastId;

    Scan(List<OwnedLane> lanes) {
      lanes.forEach(l -> byNumber.put(l.lane, l));
    }

    /** Columns as {@link OutboxSql#claimInIdOrder()}. */
    void read(PreparedStatement ps, Map<OwnedLane, List<Row>> out) throws SQLException {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int number = rs.getInt(1);
          long id = rs.getLong(2);
          read++;
          lastId = Math.max(lastId, id);
          firstIds.putIfAbsent(number, id);
          if (cut.contains(number)) {
            continue;
          }
          if (!rs.getBoolean(13)) {
            cut.add(number); // past the pass's byte budget: this lane goes on in a later pass
            continue;
          }
          if (!rs.getBoolean(12)) {
            log.debug(
                "OutboxRelay {}: lane {} waits for an older transaction before row {}",
                owner,
                number,
                id);
            cut.add(number); // a transaction that may still commit an earlier row is in flight
            continue;
          }
          Row row =
              new Row(
                  id,
                  rs.getObject(3, UUID.class),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getInt(7),
                  rs.getBytes(8), // the text of the jsonb, as UTF-8
                  rs.getBytes(9),
                  rs.getTimestamp(10).getTime(),
                  rs.getInt(11));
          bytes += row.payload().length;
          out.computeIfAbsent(byNumber.get(number), k -> new ArrayList<>()).add(row);
        }
      }
    }
  }

  /** A lane's next rows within {@code budget} bytes; {@code alone}: a larger first row comes. */
  List<Row> claim(OwnedLane lane, long budget, boolean alone) throws SQLException {
    if (horizon != null) {
      horizon.beforeClaim(lane);
    }
    long firstId;
    List<Row> rows = new ArrayList<>(batchSize);
    // Without a horizon (MySQL, H2) every claim starts at the front of the lane.
    long after = horizon != null ? lane.safeId : 0;
    try (Connection c = dataSource.getConnection()) {
      long[] all =
          innoDbFence != null ? innoDbFence.allIds(c, sql, lane.lane, after, batchSize) : null;
      if (all != null) {
        RelayHooks.reach(RelayHooks.Point.UNCOMMITTED_READ);
      }
      try (PreparedStatement ps = c.prepareStatement(sql.claimWithin())) {
        int p = 1;
        ps.setInt(p++, lane.lane);
        ps.setLong(p++, after);
        ps.setInt(p++, batchSize);
        ps.setLong(p++, budget);
        ps.setLong(p, alone ? 1 : 0);
        firstId = read(ps, lane, rows);
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
      if (all != null) {
        // the budget only shortens the committed rows read: the common front is still a prefix
        int n = InnoDbFence.releasable(rows.stream().mapToLong(Row::id).toArray(), all);
        if (n < rows.size()) {
          log.debug(
              "OutboxRelay {}: lane {} waits for an open transaction before row {}",
              owner,
              lane.lane,
              rows.get(n).id());
          rows.subList(n, rows.size()).clear();
        }
      }
    }
    if (horizon != null) {
      horizon.afterClaim(lane, firstId);
    }
    return rows;
  }

  /**
   * Reads claimed rows up to the first the fence or the budget holds back; returns the lowest id
   * read, whether held back or not.
   */
  private long read(PreparedStatement ps, OwnedLane lane, List<Row> rows) throws SQLException {
    long firstId = Long.MAX_VALUE;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        firstId = Math.min(firstId, rs.getLong(1));
        if (!rs.getBoolean(12)) {
          break; // past the pass's byte budget
        }
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
                utf8(rs.getString(7)),
                rs.getBytes(8),
                sql.dialect.getStampedInstant(rs, 9).toEpochMilli(),
                rs.getInt(10)));
      }
    }
    return firstId;
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
