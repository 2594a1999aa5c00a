package dev.keel.outbox.internal;

import dev.keel.outbox.OutboxRelayListener;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.IntervalFunction;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  private final LaneClaims claims;
  private final LaneWrites writes;
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
    this.claims = new LaneClaims(dataSource, sql, config.batchSize(), horizon, innoDbFence, owner);
    this.writes = new LaneWrites(dataSource, sql, config, leases, owner);
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
          Listeners.safely(
              owner,
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
      Map<OwnedLane, List<Row>> claimed =
          horizon != null ? claims.claimAll(ready) : claims.claimEach(ready);
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
      Set<OwnedLane> removed = writes.removeAll(outcomes);
      for (Map.Entry<OwnedLane, BatchSender.Outcome> e : outcomes.entrySet()) {
        settle(
            e.getKey(), pending.get(e.getKey()).rows, e.getValue(), removed.contains(e.getKey()));
      }
      if (outcomes.values().stream().anyMatch(o -> o.producerBroken)) {
        log.warn(
            "OutboxRelay {} worker {}: the producer lost its sequence state; replacing it",
            owner,
            index);
        replaceProducer();
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
      Listeners.safely(owner, () -> listener.onPublished(lane.lane, out.acked.size()));
    }
    for (Map.Entry<Row, String> p : out.permanent) {
      if (writes.quarantine(lane, p.getKey(), p.getValue())) {
        removed.add(p.getKey().id());
      }
      if (config.strictOrdering()) {
        writes.stopLane(lane, p.getKey(), p.getValue());
      }
    }
    for (Map.Entry<Row, String> r : out.retriable) {
      Row row = r.getKey();
      if (row.attempts() + 1 >= config.maxAttempts()) {
        String error = r.getValue() + " (after " + (row.attempts() + 1) + " attempts)";
        if (writes.quarantine(lane, row, error)) {
          removed.add(row.id());
        }
        if (config.strictOrdering()) {
          writes.stopLane(lane, row, error); // the rows behind it must not go out before it
        }
      } else {
        writes.recordAttempt(row, r.getValue());
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

  /** The broker did not take a single record of a batch. */
  static final class RelayOutageException extends Exception {
    private static final long serialVersionUID = 1L;

    RelayOutageException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
