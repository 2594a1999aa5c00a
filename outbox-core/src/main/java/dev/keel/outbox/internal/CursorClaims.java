package dev.keel.outbox.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Cursor claims (PostgreSQL): a lane's next rows are those after its cursor and up to the {@link
 * IdFence}, read without row locks. The lanes that move together are read in one scan in id order
 * from the lowest of their cursors; a lane whose last pass left rows behind (a failed send, a
 * retriable error) is read on its own through the (lane, id) index, so that it holds no other lane
 * back. The pass's byte budget is applied while the rows stream in, a bounded number at a time.
 */
final class CursorClaims {
  /** Rows fetched in the first round trip of a claim; later fetches follow the payload sizes. */
  static final int FIRST_FETCH = 64;

  private final DataSource dataSource;
  private final OutboxSql sql;
  private final int batchSize;
  private final long maxBytes;

  CursorClaims(DataSource dataSource, OutboxSql sql, int batchSize, long maxBytes) {
    this.dataSource = dataSource;
    this.sql = sql;
    this.batchSize = batchSize;
    this.maxBytes = maxBytes;
  }

  /** One pass's claim: the rows of each lane, and up to which id each lane was read. */
  static final class Pass {
    final Map<OwnedLane, List<Row>> rows = new LinkedHashMap<>();

    /**
     * Per lane read, the highest id up to which the claim read all of the lane's rows: its cursor
     * moves there once every row claimed for it is published.
     */
    final Map<OwnedLane, Long> reach = new HashMap<>();

    /**
     * Per lane read (or found with nothing up to the fence), the id after which it was read: the
     * lane's cursor, or for a read-ahead the reach of the pass in flight.
     */
    final Map<OwnedLane, Long> from = new HashMap<>();

    long bytes;

    /**
     * Whether this read-ahead can stand for a claim of these lanes now: it read every one of them
     * from its current cursor, none of them left rows behind since. The fence only rises and no row
     * commits below it, so rows read then are the rows a claim would read now up to that fence.
     */
    boolean covers(List<OwnedLane> lanes) {
      for (OwnedLane lane : lanes) {
        Long after = from.get(lane);
        if (lane.claimApart || after == null || after != lane.cursor) {
          return false;
        }
      }
      return true;
    }

    /** Drops what was read for lanes other than these (lanes lost or backed off since). */
    void keepOnly(List<OwnedLane> lanes) {
      rows.keySet().retainAll(lanes);
      reach.keySet().retainAll(lanes);
      from.keySet().retainAll(lanes);
    }
  }

  /**
   * Claims a pass.
   *
   * @param apart lanes read each on its own, in this order
   * @param together lanes read in one scan in id order
   * @param fence the fence: no row above it is read
   */
  Pass claim(List<OwnedLane> apart, List<OwnedLane> together, long fence) throws SQLException {
    return claim(apart, together, fence, Map.of(), 0);
  }

  /**
   * Claims a pass, or reads the next one ahead while a pass is in flight.
   *
   * @param apart lanes read each on its own, in this order
   * @param together lanes read in one scan in id order
   * @param fence the fence: no row above it is read
   * @param after per lane, the id to read after where it is not the lane's cursor (a read-ahead
   *     starts at the reach of the pass in flight)
   * @param held payload bytes already held (the pass in flight): the budget is for both
   */
  Pass claim(
      List<OwnedLane> apart,
      List<OwnedLane> together,
      long fence,
      Map<OwnedLane, Long> after,
      long held)
      throws SQLException {
    RelayHooks.reach(RelayHooks.Point.CLAIM_STARTED);
    Pass pass = new Pass();
    long budget = maxBytes - held;
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false); // a portal, so that rows stream in a bounded number at a time
      try {
        for (OwnedLane lane : apart) {
          if (pass.bytes >= budget) {
            break;
          }
          long start = after.getOrDefault(lane, lane.cursor);
          pass.from.put(lane, start);
          if (start >= fence) {
            continue;
          }
          try (PreparedStatement ps = c.prepareStatement(sql.cursorClaimLane())) {
            ps.setInt(1, lane.lane);
            ps.setLong(2, start);
            ps.setLong(3, fence);
            ps.setInt(4, batchSize);
            read(ps, Map.of(lane.lane, lane), batchSize, fence, budget, pass);
          }
        }
        long lowest = Long.MAX_VALUE;
        Map<Integer, OwnedLane> byNumber = new HashMap<>();
        for (OwnedLane lane : together) {
          byNumber.put(lane.lane, lane);
          lowest = Math.min(lowest, after.getOrDefault(lane, lane.cursor));
        }
        if (!together.isEmpty() && pass.bytes < budget) {
          for (OwnedLane lane : together) {
            pass.from.put(lane, after.getOrDefault(lane, lane.cursor));
          }
          if (lowest < fence) {
            Integer[] numbers = byNumber.keySet().toArray(new Integer[0]);
            int limit = (int) Math.min(10_000_000L, (long) batchSize * together.size());
            try (PreparedStatement ps = c.prepareStatement(sql.cursorClaim())) {
              ps.setLong(1, lowest);
              ps.setLong(2, fence);
              ps.setArray(3, c.createArrayOf("int4", numbers));
              ps.setInt(4, limit);
              read(ps, byNumber, limit, fence, budget, pass);
            }
          }
        }
        c.commit();
      } finally {
        c.setAutoCommit(auto);
      }
    }
    RelayHooks.reach(RelayHooks.Point.CLAIM_DONE);
    return pass;
  }

  /**
   * Reads one claim's rows (columns as {@link OutboxSql#cursorClaim()}) into the pass while they
   * fit in the budget, and notes each lane's reach: the fence when the statement ran out of rows,
   * else just below the first row it did not take.
   */
  private void read(
      PreparedStatement ps,
      Map<Integer, OwnedLane> lanes,
      int limit,
      long fence,
      long budget,
      Pass pass)
      throws SQLException {
    ps.setFetchSize(Math.min(limit, FIRST_FETCH));
    long reach = fence;
    int read = 0;
    long lastRead = 0;
    long bytesBefore = pass.bytes;
    String topic = null;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        read++;
        long id = rs.getLong(2);
        lastRead = id;
        OwnedLane lane = lanes.get(rs.getInt(1));
        if (id <= pass.from.get(lane)) {
          continue; // a lane ahead of the scan's start
        }
        byte[] payload = rs.getBytes(9);
        if (pass.bytes + payload.length > budget && (pass.bytes > 0 || budget < maxBytes)) {
          reach = id - 1; // this row and the ones after it come in a later pass
          break;
        }
        pass.bytes += payload.length;
        String rowTopic = rs.getString(4);
        if (!rowTopic.equals(topic)) {
          topic = rowTopic; // rows of one topic share one string, whose hash is computed once
        }
        pass.rows
            .computeIfAbsent(lane, k -> new ArrayList<>())
            .add(
                new Row(
                    id,
                    rs.getObject(3, UUID.class),
                    topic,
                    rs.getString(5),
                    rs.getString(6),
                    rs.getInt(7),
                    rs.getBytes(8), // text: the server's bytes, UTF-8 (pgjdbc's encoding)
                    payload,
                    rs.getTimestamp(10).getTime(),
                    rs.getInt(11)));
        if (read == FIRST_FETCH && limit > FIRST_FETCH) {
          // later round trips bring about what the budget has left room for
          long average = Math.max(1, (pass.bytes - bytesBefore) / read);
          rs.setFetchSize((int) Math.max(16, Math.min(limit, (budget - pass.bytes) / average)));
        }
      }
      if (reach == fence && read >= limit) {
        reach = lastRead; // rows after the last one read may wait below the fence
      }
    }
    for (OwnedLane lane : lanes.values()) {
      if (reach > pass.from.get(lane)) {
        pass.reach.merge(lane, reach, Math::max);
      }
    }
  }
}
