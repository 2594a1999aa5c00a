package dev.keel.outbox.internal;

import dev.keel.event.FatalKeelException;
import dev.keel.outbox.OutboxRelayListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds this instance's lane leases: heartbeats its membership, renews its leases, and moves lanes
 * so that live instances own an even share (lower-sorted instances take the remainder). Lease times
 * come from the database clock, so instances need not agree on time.
 */
final class LeaseManager {
  private static final Logger log = LoggerFactory.getLogger(LeaseManager.class);

  private final DataSource dataSource;
  private final OutboxSql sql;
  private final String owner;
  private final int lanes;
  private final Duration leaseDuration;
  private final OutboxRelayListener listener;
  private final Wakeup wakeup;
  private final boolean cursors;
  private final Map<Integer, OwnedLane> owned = new ConcurrentHashMap<>();

  /** Lanes given up because Kafka did not acknowledge them, and until when not to take them. */
  private final Map<Integer, Long> heldOff = new ConcurrentHashMap<>();

  LeaseManager(
      DataSource dataSource,
      OutboxSql sql,
      String owner,
      int lanes,
      Duration leaseDuration,
      OutboxRelayListener listener,
      Wakeup wakeup,
      boolean cursors) {
    this.dataSource = dataSource;
    this.sql = sql;
    this.owner = owner;
    this.lanes = lanes;
    this.leaseDuration = leaseDuration;
    this.listener = listener;
    this.wakeup = wakeup;
    this.cursors = cursors;
  }

  /** Creates missing lease rows and checks that the outbox holds no lane this relay cannot see. */
  void init() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      Set<Integer> existing = new HashSet<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql.leases())) {
        while (rs.next()) {
          existing.add(rs.getInt(1));
        }
      }
      for (int lane = 0; lane < lanes; lane++) {
        if (!existing.contains(lane)) {
          try (PreparedStatement ps = c.prepareStatement(sql.insertLease())) {
            ps.setInt(1, lane);
            ps.executeUpdate();
          } catch (SQLException e) {
            if (!Jdbc.isUniqueViolation(e)) {
              throw e;
            }
          }
        }
      }
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT MAX(lane) FROM " + sql.outbox)) {
        if (rs.next() && rs.getObject(1) != null && rs.getInt(1) >= lanes) {
          throw new FatalKeelException(
              "OutboxRelay "
                  + owner
                  + ": the outbox holds rows of lane "
                  + rs.getInt(1)
                  + " but the relay has "
                  + lanes
                  + " lanes; build the relay and the Outbox with the same lanes");
        }
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
  }

  /** One round: heartbeat, renew, rebalance. Called every third of the lease duration. */
  void tick() throws SQLException {
    long roundStart = System.nanoTime();
    long millis = leaseDuration.toMillis();
    heldOff.values().removeIf(until -> roundStart - until >= 0);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      if (heldOff.isEmpty()) {
        try (PreparedStatement ps = c.prepareStatement(sql.heartbeat())) {
          ps.setString(1, owner);
          ps.setInt(2, owned.size());
          ps.setLong(3, millis);
          ps.executeUpdate();
        }
      } // else: out of the membership while lanes are held off, so that others take them
      renew(c, millis, roundStart);
      rebalance(c, millis, roundStart);
    }
  }

  private void renew(Connection c, long millis, long roundStart) throws SQLException {
    for (OwnedLane lane : new ArrayList<>(owned.values())) {
      try (PreparedStatement ps = c.prepareStatement(sql.renew())) {
        ps.setLong(1, millis);
        ps.setInt(2, lane.lane);
        ps.setString(3, owner);
        ps.setLong(4, lane.epoch);
        if (ps.executeUpdate() == 1) {
          lane.validUntilNanos = roundStart + safeNanos();
        } else {
          log.warn(
              "OutboxRelay {}: lost the lease of lane {} (epoch {}) to another instance",
              owner,
              lane.lane,
              lane.epoch);
          drop(lane);
        }
      }
    }
  }

  private void rebalance(Connection c, long millis, long roundStart) throws SQLException {
    List<String> members = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.liveMembers());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        members.add(rs.getString(1));
      }
    }
    if (!members.contains(owner)) {
      members.add(owner);
      members.sort(null);
    }
    int index = members.indexOf(owner);
    int target = lanes / members.size() + (index < lanes % members.size() ? 1 : 0);
    Map<Integer, String> stopped = new TreeMap<>();
    List<Integer> free = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.leases());
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        int lane = rs.getInt(1);
        String laneOwner = rs.getString(2);
        boolean live = rs.getInt(4) == 1;
        String stop = rs.getString(5);
        if (stop != null) {
          stopped.put(lane, stop);
        }
        if (lane < lanes
            && (laneOwner == null || !live)
            && !owned.containsKey(lane)
            && !heldOff.containsKey(lane)) {
          free.add(lane);
        }
      }
    }
    for (OwnedLane lane : owned.values()) {
      lane.stopped = stopped.get(lane.lane);
    }
    if (owned.size() > target) {
      List<OwnedLane> extra = new ArrayList<>(owned.values());
      extra.sort((a, b) -> Integer.compare(b.lane, a.lane));
      for (OwnedLane lane : extra.subList(0, owned.size() - target)) {
        release(c, lane);
      }
    } else {
      for (int lane : free) {
        if (owned.size() >= target) {
          break;
        }
        acquire(c, lane, millis, roundStart);
      }
    }
  }

  private void acquire(Connection c, int lane, long millis, long roundStart) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      int updated;
      try (PreparedStatement ps = c.prepareStatement(sql.acquire())) {
        ps.setString(1, owner);
        ps.setLong(2, millis);
        ps.setInt(3, lane);
        ps.setString(4, owner);
        updated = ps.executeUpdate();
      }
      long epoch = -1;
      if (updated == 1) {
        try (PreparedStatement ps = c.prepareStatement(sql.epochOf())) {
          ps.setInt(1, lane);
          ps.setString(2, owner);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              epoch = rs.getLong(1);
            }
          }
        }
      }
      long cursor = 0;
      if (epoch >= 0 && cursors) {
        try (PreparedStatement ps = c.prepareStatement(sql.cursorOf())) {
          ps.setInt(1, lane);
          ps.setString(2, owner);
          ps.setLong(3, epoch);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              cursor = rs.getLong(1);
            }
          }
        }
      }
      c.commit();
      if (epoch >= 0) {
        long acquired = epoch;
        OwnedLane taken = new OwnedLane(lane, acquired, roundStart + safeNanos());
        taken.cursor = cursor;
        owned.put(lane, taken);
        log.debug("OutboxRelay {}: acquired lane {} (epoch {})", owner, lane, acquired);
        Listeners.safely(owner, () -> listener.onLaneAcquired(lane, acquired));
        wakeup.signal();
      }
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  private void release(Connection c, OwnedLane lane) throws SQLException {
    lane.revoked = true;
    lane.lock.lock();
    try {
      try (PreparedStatement ps = c.prepareStatement(sql.release())) {
        ps.setInt(1, lane.lane);
        ps.setString(2, owner);
        ps.setLong(3, lane.epoch);
        ps.executeUpdate();
      }
      drop(lane);
      log.debug("OutboxRelay {}: released lane {} for rebalancing", owner, lane.lane);
    } finally {
      lane.lock.unlock();
    }
  }

  /**
   * Gives a lane up because Kafka did not acknowledge its batch in time: releases its lease (or,
   * when the database cannot be reached, stops renewing it, so that it expires) and neither takes
   * it back nor heartbeats its membership for {@code holdOff}, so that another instance can take it
   * over. Called by the worker that holds the lane's lock.
   */
  void giveUp(OwnedLane lane, Duration holdOff) {
    heldOff.put(lane.lane, System.nanoTime() + holdOff.toNanos());
    lane.revoked = true;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      release(c, lane);
    } catch (SQLException e) {
      drop(lane);
      log.warn(
          "OutboxRelay {}: could not release lane {} ({}); its lease expires in {}",
          owner,
          lane.lane,
          e.getMessage(),
          leaseDuration);
    }
  }

  /** Forgets a lane (lost to another instance, or released). */
  void drop(OwnedLane lane) {
    lane.revoked = true;
    if (owned.remove(lane.lane, lane)) {
      Listeners.safely(owner, () -> listener.onLaneReleased(lane.lane));
    }
  }

  /** Releases every lease and leaves the membership; used by a graceful close. */
  void releaseAll() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      for (OwnedLane lane : new ArrayList<>(owned.values())) {
        release(c, lane);
      }
      try (PreparedStatement ps = c.prepareStatement(sql.leaveMembers())) {
        ps.setString(1, owner);
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      log.warn(
          "OutboxRelay {}: could not release leases on close ({}); they expire in {}",
          owner,
          e.getMessage(),
          leaseDuration);
    }
  }

  /** Lanes for one worker: those whose number modulo the worker count is the worker's index. */
  List<OwnedLane> lanesFor(int worker, int workers) {
    List<OwnedLane> mine = new ArrayList<>();
    for (OwnedLane lane : owned.values()) {
      if (lane.lane % workers == worker) {
        mine.add(lane);
      }
    }
    mine.sort((a, b) -> Integer.compare(a.lane, b.lane));
    return mine;
  }

  /** The lanes held now. */
  List<OwnedLane> owned() {
    return new ArrayList<>(owned.values());
  }

  Set<Integer> ownedLanes() {
    return Set.copyOf(owned.keySet());
  }

  int stoppedCount() {
    return (int) owned.values().stream().filter(l -> l.stopped != null).count();
  }

  private long safeNanos() {
    // Stop using a lease well before the database would let another instance take it.
    return leaseDuration.toNanos() * 2 / 3;
  }
}
