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
        for (OwnedLane lane : leases.lanesFor(index, config.workers())) {
          if (!running) {
            break;
          }
          worked |= serve(lane);
        }
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

  private boolean serve(OwnedLane lane) throws SQLException, RelayOutageException {
    if (!lane.usable() || !lane.lock.tryLock()) {
      return false;
    }
    try {
      return lane.usable() && processBatch(lane) > 0;
    } finally {
      lane.lock.unlock();
    }
  }

  private int processBatch(OwnedLane lane) throws SQLException, RelayOutageException {
    List<Row> rows = claim(lane);
    if (rows.isEmpty()) {
      return 0;
    }
    BatchSender.Outcome out = BatchSender.send(producer, rows, config.strictOrdering());
    if (out.outage()) {
      throw new RelayOutageException(BatchSender.describe(out.firstRetriable), out.firstRetriable);
    }
    Set<Long> removed = new HashSet<>();
    if (!out.acked.isEmpty()) {
      if (!remove(lane, out.acked)) {
        return rows.size();
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
    return rows.size();
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

  /** Deletes (or moves) acknowledged rows with one statement fenced by the lane's epoch. */
  private boolean remove(OwnedLane lane, List<Row> acked) throws SQLException {
    long[] ids = acked.stream().mapToLong(Row::id).toArray();
    boolean mark = config.cleanupMode() == CleanupMode.MARK_PUBLISHED;
    try (Connection c = dataSource.getConnection()) {
      boolean twoSteps = mark && !sql.postgres();
      c.setAutoCommit(!twoSteps);
      int count;
      try (PreparedStatement ps =
          c.prepareStatement(mark ? sql.markPublished(ids.length) : sql.delete(ids.length))) {
        count = bindFenced(ps, lane, ids);
      }
      if (twoSteps) {
        try (PreparedStatement ps = c.prepareStatement(sql.delete(ids.length))) {
          count = bindFenced(ps, lane, ids);
        }
        c.commit();
      }
      if (count < ids.length) {
        log.warn(
            "OutboxRelay {}: lane {} epoch {} was taken over; {} published rows left to the new owner",
            owner,
            lane.lane,
            lane.epoch,
            ids.length - count);
        leases.drop(lane);
        return false;
      }
      return true;
    }
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
