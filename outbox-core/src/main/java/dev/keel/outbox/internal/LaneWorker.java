package dev.keel.outbox.internal;

import dev.keel.outbox.CleanupMode;
import dev.keel.outbox.OutboxRelayListener;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.IntervalFunction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publishing thread with its own idempotent producer. It serves the owned lanes whose number
 * modulo the worker count is its index: claim a batch behind the commit-order fence, send it, flush
 * once, remove the acknowledged rows with one fenced statement.
 */
final class LaneWorker implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LaneWorker.class);

  private final int index;
  private final RelayConfig config;
  private final DataSource dataSource;
  private final OutboxSql sql;
  private final LeaseManager leases;
  private final Wakeup wakeup;
  private final CircuitBreaker breaker;
  private final IntervalFunction backoff;
  private final RelayMetrics metrics;
  private final String owner;
  private final XidHorizon horizon;
  private final InnoDbFence innoDbFence;
  private final OutboxRelayListener listener;
  private volatile Producer<byte[], byte[]> producer;
  private volatile boolean running = true;
  private int failures;

  LaneWorker(
      int index,
      RelayConfig config,
      DataSource dataSource,
      OutboxSql sql,
      LeaseManager leases,
      Wakeup wakeup,
      CircuitBreaker breaker,
      RelayMetrics metrics,
      String owner,
      XidHorizon horizon,
      InnoDbFence innoDbFence) {
    this.index = index;
    this.config = config;
    this.dataSource = dataSource;
    this.sql = sql;
    this.leases = leases;
    this.wakeup = wakeup;
    this.breaker = breaker;
    this.metrics = metrics;
    this.owner = owner;
    this.horizon = horizon;
    this.innoDbFence = innoDbFence;
    this.listener = config.listener();
    this.backoff =
        IntervalFunction.ofExponentialRandomBackoff(
            config.backoffInitial(), 2.0, 0.5, config.backoffMax());
    this.producer = newProducer();
  }

  private Producer<byte[], byte[]> newProducer() {
    return new KafkaProducer<>(
        ProducerSettings.of(config.producerProperties(), "keel-relay-" + owner + "-" + index));
  }

  @Override
  public void run() {
    while (running) {
      long token = wakeup.token();
      if (!breaker.tryAcquirePermission()) {
        pause();
        continue;
      }
      long start = System.nanoTime();
      boolean worked = false;
      try {
        worked = servePass();
        breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        failures = 0;
      } catch (SQLException | RelayOutageException e) {
        breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
        if (running) {
          log.warn(
              "OutboxRelay {} worker {}: {} ({}); backing off",
              owner,
              index,
              e instanceof SQLException ? "database unavailable" : "broker unavailable",
              e.getMessage());
          safely(
              () ->
                  listener.onRetriableError(e instanceof SQLException ? "database" : "broker", e));
          pause();
        }
        continue;
      } catch (RuntimeException e) {
        breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
        if (running) {
          log.error(
              "OutboxRelay {} worker {}: unexpected failure; recreating the producer",
              owner,
              index,
              e);
          replaceProducer();
          pause();
        }
        continue;
      }
      if (!worked) {
        try {
          wakeup.await(token, config.pollInterval());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * One pass over this worker's lanes: claim a batch from each, send them all, flush once, then
   * settle each lane. One flush per pass instead of per lane keeps latency low when many lanes hold
   * a few rows each.
   */
  private boolean servePass() throws SQLException, RelayOutageException {
    List<OwnedLane> locked = new ArrayList<>();
    try {
      Map<OwnedLane, BatchSender.Pending> pending = new java.util.LinkedHashMap<>();
      List<OwnedLane> ready = new ArrayList<>();
      for (OwnedLane lane : leases.lanesFor(index, config.workers())) {
        if (!running || !lane.usable() || !lane.lock.tryLock()) {
          continue;
        }
        locked.add(lane);
        if (lane.usable()) {
          ready.add(lane);
        }
      }
      Map<OwnedLane, List<Row>> claimed = horizon != null ? claimAll(ready) : claimEach(ready);
      for (Map.Entry<OwnedLane, List<Row>> e : claimed.entrySet()) {
        pending.put(e.getKey(), BatchSender.start(producer, e.getValue(), config.strictOrdering()));
      }
      if (pending.isEmpty()) {
        return false;
      }
      producer.flush();
      Map<OwnedLane, BatchSender.Outcome> outcomes = new java.util.LinkedHashMap<>();
      boolean anyProgress = false;
      Throwable outage = null;
      for (Map.Entry<OwnedLane, BatchSender.Pending> e : pending.entrySet()) {
        BatchSender.Outcome out = BatchSender.finish(e.getValue());
        outcomes.put(e.getKey(), out);
        if (out.outage()) {
          outage = out.firstRetriable;
        } else {
          anyProgress = true;
        }
      }
      if (!anyProgress && outage != null) {
        throw new RelayOutageException(BatchSender.describe(outage), outage);
      }
      Set<OwnedLane> removed = removeAll(outcomes);
      for (Map.Entry<OwnedLane, BatchSender.Outcome> e : outcomes.entrySet()) {
        settle(
            e.getKey(), pending.get(e.getKey()).rows, e.getValue(), removed.contains(e.getKey()));
      }
      return true;
    } finally {
      locked.forEach(l -> l.lock.unlock());
    }
  }

  /** Removes what was acknowledged, sets aside what never can be, and moves the lane's marks. */
  private void settle(OwnedLane lane, List<Row> rows, BatchSender.Outcome out, boolean ackedRemoved)
      throws SQLException {
    if (out.outage()) {
      return; // this lane's broker partitions are away; its rows stay for the next pass
    }
    Set<Long> removed = new HashSet<>();
    if (!out.acked.isEmpty()) {
      if (!ackedRemoved) {
        return;
      }
      out.acked.forEach(r -> removed.add(r.id()));
      long now = config.clock().millis();
      List<Long> appended = new ArrayList<>(out.acked.size());
      out.acked.forEach(r -> appended.add(r.createdAtMillis()));
      metrics.published(out.acked.size(), appended, now);
      safely(() -> listener.onPublished(lane.lane, out.acked.size()));
    }
    for (Map.Entry<Row, String> p : out.permanent) {
      if (quarantine(lane, p.getKey(), p.getValue())) {
        removed.add(p.getKey().id());
      }
      if (config.strictOrdering()) {
        stopLane(lane, p.getKey(), p.getValue());
      }
    }
    for (Map.Entry<Row, String> r : out.retriable) {
      Row row = r.getKey();
      if (row.attempts() + 1 >= config.maxAttempts()) {
        if (quarantine(
            lane, row, r.getValue() + " (after " + (row.attempts() + 1) + " attempts)")) {
          removed.add(row.id());
        }
      } else {
        recordAttempt(row, r.getValue());
      }
    }
    for (Row row : rows) {
      if (!removed.contains(row.id())) {
        break;
      }
      if (row.id() <= lane.lastId) {
        log.info(
            "OutboxRelay {}: lane {} published row {} that committed after later rows",
            owner,
            lane.lane,
            row.id());
      }
      lane.lastId = Math.max(lane.lastId, row.id());
    }
    if (horizon != null) {
      horizon.afterBatch(lane);
    }
  }

  private Map<OwnedLane, List<Row>> claimEach(List<OwnedLane> lanes) throws SQLException {
    Map<OwnedLane, List<Row>> out = new java.util.LinkedHashMap<>();
    for (OwnedLane lane : lanes) {
      List<Row> rows = claim(lane);
      if (!rows.isEmpty()) {
        out.put(lane, rows);
      }
    }
    return out;
  }

  /** PostgreSQL: every lane's next batch in one round trip (a lateral join over the lanes). */
  private Map<OwnedLane, List<Row>> claimAll(List<OwnedLane> lanes) throws SQLException {
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
        PreparedStatement ps = c.prepareStatement(sql.claimLanes())) {
      ps.setArray(1, c.createArrayOf("int4", numbers));
      ps.setArray(2, c.createArrayOf("int8", after));
      ps.setInt(3, config.batchSize());
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

  private List<Row> claim(OwnedLane lane) throws SQLException {
    if (horizon != null) {
      horizon.settle(lane);
    }
    List<Row> rows = new ArrayList<>(config.batchSize());
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.claim())) {
      int p = 1;
      if (innoDbFence != null) {
        ps.setTimestamp(p++, innoDbFence.cutoff());
      }
      ps.setInt(p++, lane.lane);
      // Without a horizon (MySQL, H2) every claim starts at the front of the lane.
      ps.setLong(p++, horizon != null ? lane.safeId : 0);
      ps.setInt(p, config.batchSize());
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

  /**
   * Deletes (or moves) every lane's acknowledged rows in one transaction, one statement per lane
   * fenced by that lane's epoch. Returns the lanes whose rows are gone; a lane taken over by
   * another instance meanwhile is dropped and its rows are left to the new owner.
   */
  private Set<OwnedLane> removeAll(Map<OwnedLane, BatchSender.Outcome> outcomes)
      throws SQLException {
    Set<OwnedLane> done = new HashSet<>();
    boolean mark = config.cleanupMode() == CleanupMode.MARK_PUBLISHED;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      Map<OwnedLane, Integer> counts = new java.util.LinkedHashMap<>();
      for (Map.Entry<OwnedLane, BatchSender.Outcome> e : outcomes.entrySet()) {
        List<Row> acked = e.getValue().acked;
        if (e.getValue().outage() || acked.isEmpty()) {
          continue;
        }
        long[] ids = acked.stream().mapToLong(Row::id).toArray();
        int count;
        try (PreparedStatement ps =
            c.prepareStatement(mark ? sql.markPublished(ids.length) : sql.delete(ids.length))) {
          count = bindFenced(ps, e.getKey(), ids);
        }
        if (mark && !sql.postgres()) {
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

  private int bindFenced(PreparedStatement ps, OwnedLane lane, long[] ids) throws SQLException {
    ps.setInt(1, lane.lane);
    int i = Jdbc.setIds(ps, 2, ids, sql.dialect);
    ps.setInt(i, lane.lane);
    ps.setString(i + 1, owner);
    ps.setLong(i + 2, lane.epoch);
    return ps.executeUpdate();
  }

  private boolean quarantine(OwnedLane lane, Row row, String error) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      int moved;
      try (PreparedStatement ps = c.prepareStatement(sql.quarantine())) {
        ps.setString(1, error);
        ps.setLong(2, row.id());
        ps.setInt(3, lane.lane);
        ps.setString(4, owner);
        ps.setLong(5, lane.epoch);
        moved = ps.executeUpdate();
      }
      if (moved == 1) {
        try (PreparedStatement ps = c.prepareStatement(sql.deleteOne())) {
          ps.setLong(1, row.id());
          ps.executeUpdate();
        }
      }
      c.commit();
      if (moved == 1) {
        log.error(
            "OutboxRelay {}: event {} ({}) to topic {} on lane {} can never be published and was quarantined: {}",
            owner,
            row.eventId(),
            row.type(),
            row.topic(),
            lane.lane,
            error);
        safely(() -> listener.onQuarantined(lane.lane, row.eventId(), row.topic(), error));
      }
      return moved == 1;
    }
  }

  private void stopLane(OwnedLane lane, Row row, String error) throws SQLException {
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
    safely(() -> listener.onLaneStopped(lane.lane, reason));
  }

  private void recordAttempt(Row row, String error) throws SQLException {
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

  private void pause() {
    Duration d = Duration.ofMillis(backoff.apply(Math.min(++failures, 30)));
    try {
      Wakeup.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void replaceProducer() {
    Producer<byte[], byte[]> old = producer;
    producer = newProducer();
    old.close(Duration.ZERO);
  }

  /** Asks the loop to end after the batch in progress. */
  void stop() {
    running = false;
  }

  /** Closes the producer, waiting up to the timeout for records in flight (zero aborts them). */
  void closeProducer(Duration timeout) {
    producer.close(timeout);
  }

  private void safely(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("OutboxRelay {}: listener threw", owner, e);
    }
  }

  /** The broker did not take a single record of a batch. */
  static final class RelayOutageException extends Exception {
    private static final long serialVersionUID = 1L;

    RelayOutageException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
