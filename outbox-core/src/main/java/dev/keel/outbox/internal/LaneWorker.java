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
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publishing thread with its own idempotent producer. It serves the owned lanes whose number
 * modulo the worker count is its index: claim their next rows behind the commit-order fence (within
 * the pass's byte budget; on PostgreSQL in one scan in id order across them when they are a fair
 * share of all lanes, see {@link #scansInIdOrder}), send them (rows to a missing topic held back,
 * their lane backed off), wait for each lane's acknowledgements with a deadline, remove the
 * acknowledged rows with one fenced statement. A lane not acknowledged by the deadline is given up,
 * so that another instance can take it over.
 */
final class LaneWorker implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LaneWorker.class);

  /** An idle worker waits this many times as long as its last empty pass took (see idleWait). */
  static final int IDLE_WAIT_FACTOR = 9;

  /** A worker claims in id order when it serves at least 1/this of the lanes (scansInIdOrder). */
  static final int ID_ORDER_SHARE = 2;

  /** An idle worker's wait is at most this many poll intervals (see idleWait). */
  static final int MAX_IDLE_POLLS = 10;

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
  private final IdFence idFence;
  private final CursorClaims cursorClaims;
  private final LaneWrites writes;
  private final OutboxRelayListener listener;
  private final TopicGate topics;
  private final RelayClients clients;
  private final java.util.concurrent.ExecutorService flusher;
  private final java.util.concurrent.atomic.AtomicBoolean flushQueued =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Lanes backed off because they hold rows to a missing topic, until a System.nanoTime(). */
  private final Map<OwnedLane, Long> backedOff = new java.util.HashMap<>();

  /** Cursor claims: the next pass's rows, read while the last pass was acknowledged; or null. */
  private CursorClaims.Pass readAhead;

  private volatile Producer<byte[], byte[]> producer;
  private volatile boolean running = true;
  private int failures;
  private int passStart;

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
      IdFence idFence,
      InnoDbFence innoDbFence,
      TopicGate topics,
      RelayClients clients) {
    this.index = index;
    this.clients = clients;
    this.config = config;
    this.dataSource = dataSource;
    this.sql = sql;
    this.leases = leases;
    this.wakeup = wakeup;
    this.breaker = breaker;
    this.metrics = metrics;
    this.owner = owner;
    this.horizon = horizon;
    this.claims =
        new LaneClaims(
            dataSource,
            sql,
            config.batchSize(),
            config.maxBytesPerPass(),
            config.lanes(),
            horizon,
            innoDbFence,
            owner);
    this.idFence = idFence;
    this.cursorClaims =
        idFence != null
            ? new CursorClaims(dataSource, sql, config.batchSize(), config.maxBytesPerPass())
            : null;
    this.topics = topics;
    this.flusher =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "keel-relay-flush-" + owner + "-" + index);
              t.setDaemon(true);
              return t;
            });
    this.writes = new LaneWrites(dataSource, sql, config, leases, owner);
    this.listener = config.listener();
    this.backoff =
        IntervalFunction.ofExponentialRandomBackoff(
            config.backoffInitial(), 2.0, 0.5, config.backoffMax());
    this.producer = newProducer();
  }

  private Producer<byte[], byte[]> newProducer() {
    return clients.producer(
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
          wakeup.await(token, idleWait(config.pollInterval(), System.nanoTime() - start));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * How long a worker waits for a wake-up after a pass that found nothing to publish: the poll
   * interval, or {@value #IDLE_WAIT_FACTOR} times as long as that pass took, whichever is longer,
   * but at most {@value #MAX_IDLE_POLLS} poll intervals. A claim steps over every row that
   * transactions still open have inserted in its lanes (the rows are not visible, but the index
   * holds them and each is checked): while one transaction appended a million rows, an empty claim
   * took 1.5 s (benchmarks/RESULTS.md), and claiming again at every poll interval would keep the
   * database busy with rows no one can read yet. Idle claims therefore take at most a tenth of the
   * worker's time until the cap. A wake-up (the NOTIFY of an appending transaction's commit) still
   * ends the wait at once.
   *
   * @param pollInterval the configured poll interval
   * @param emptyPassNanos how long the pass that found nothing took
   */
  static Duration idleWait(Duration pollInterval, long emptyPassNanos) {
    long poll = saturatedNanos(pollInterval);
    long cap = poll > Long.MAX_VALUE / MAX_IDLE_POLLS ? Long.MAX_VALUE : poll * MAX_IDLE_POLLS;
    long scaled =
        emptyPassNanos > Long.MAX_VALUE / IDLE_WAIT_FACTOR
            ? Long.MAX_VALUE
            : Math.max(0, emptyPassNanos) * IDLE_WAIT_FACTOR;
    return Duration.ofNanos(Math.max(poll, Math.min(scaled, cap)));
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * One pass over this worker's lanes: claim their next rows (within the byte budget), send them
   * all, ask for one flush, wait for each lane's acknowledgements with one deadline, then settle
   * each lane. One flush per pass instead of per lane keeps latency low when many lanes hold a few
   * rows each.
   */
  private boolean servePass() throws SQLException, RelayOutageException {
    List<OwnedLane> locked = new ArrayList<>();
    try {
      Map<OwnedLane, BatchSender.Pending> pending = new java.util.LinkedHashMap<>();
      List<OwnedLane> ready = new ArrayList<>();
      List<OwnedLane> mine = leases.lanesFor(index, config.workers());
      backedOff.keySet().retainAll(mine);
      long now = System.nanoTime();
      for (OwnedLane lane : mine) {
        Long until = backedOff.get(lane);
        if (until != null && now - until < 0) {
          continue; // rows to a missing topic; asked again when the topic's retry time comes
        }
        if (!running || !lane.usable() || !lane.lock.tryLock()) {
          continue;
        }
        locked.add(lane);
        if (lane.usable()) {
          ready.add(lane);
        }
      }
      int start = passStart;
      passStart = (passStart + 1) % config.lanes();
      Map<OwnedLane, List<Row>> claimed;
      CursorClaims.Pass cursorPass = null;
      if (cursorClaims != null) {
        List<OwnedLane> apart = new ArrayList<>();
        List<OwnedLane> together = new ArrayList<>();
        for (OwnedLane lane : ready) {
          (lane.claimApart ? apart : together).add(lane);
        }
        apart.sort(
            java.util.Comparator.comparingInt(l -> Math.floorMod(l.lane - start, config.lanes())));
        CursorClaims.Pass ahead = readAhead;
        readAhead = null;
        if (ahead != null && ahead.covers(ready)) {
          ahead.keepOnly(ready);
          cursorPass = ahead;
          RelayHooks.reach(RelayHooks.Point.READ_AHEAD_TAKEN);
        } else {
          cursorPass = cursorClaims.claim(apart, together, idFence.fence());
        }
        claimed = cursorPass.rows;
        if (claimed.isEmpty()) {
          writes.moveCursors(cursorPass.reach); // lanes with no row up to the fence
          return false;
        }
      } else if (horizon != null) {
        List<OwnedLane> apart = new ArrayList<>();
        List<OwnedLane> inIdOrder = new ArrayList<>();
        for (OwnedLane lane : ready) {
          (lane.claimApart ? apart : inIdOrder).add(lane);
        }
        if (!scansInIdOrder(inIdOrder.size(), config.lanes())) {
          apart.addAll(inIdOrder);
          inIdOrder.clear();
        }
        claimed = claims.claimPass(apart, inIdOrder, start);
        for (OwnedLane lane : apart) {
          if (!claimed.containsKey(lane)) {
            lane.claimApart = false; // nothing claimable: nothing that fails to go
          }
        }
      } else {
        claimed = claims.claimEach(ready, start);
      }
      if (claimed.isEmpty()) {
        return false;
      }
      Set<String> topicsOfPass = new HashSet<>();
      for (List<Row> rows : claimed.values()) {
        String last = null;
        for (Row r : rows) {
          if (r.topic() != last) { // runs of one topic share one string
            last = r.topic();
            topicsOfPass.add(last);
          }
        }
      }
      Map<String, Long> missing = topics.missing(topicsOfPass);
      Set<String> timedOut = new HashSet<>();
      for (Map.Entry<OwnedLane, List<Row>> e : claimed.entrySet()) {
        for (Row r : e.getValue()) {
          Long retryAt = missing.get(r.topic());
          if (retryAt != null) {
            backOff(e.getKey(), retryAt);
          }
        }
        pending.put(
            e.getKey(),
            BatchSender.start(
                producer, e.getValue(), config.strictOrdering(), missing.keySet(), timedOut));
      }
      requestFlush();
      if (cursorPass != null) {
        readAhead = readAhead(ready, cursorPass);
      }
      long deadline = System.nanoTime() + config.ackTimeout().toNanos();
      List<OwnedLane> unacknowledged = new ArrayList<>();
      for (Map.Entry<OwnedLane, BatchSender.Pending> e : pending.entrySet()) {
        if (!BatchSender.await(e.getValue(), deadline)) {
          unacknowledged.add(e.getKey());
        }
      }
      if (!unacknowledged.isEmpty()) {
        giveUp(unacknowledged);
        unacknowledged.forEach(pending::remove);
      }
      Map<OwnedLane, BatchSender.Outcome> outcomes = new java.util.LinkedHashMap<>();
      boolean anyProgress = false;
      Throwable outage = null;
      for (Map.Entry<OwnedLane, BatchSender.Pending> e : pending.entrySet()) {
        BatchSender.Outcome out = BatchSender.finish(e.getValue());
        outcomes.put(e.getKey(), out);
        for (String topic : out.missingTopics) {
          if (!missing.containsKey(topic)) {
            backOff(e.getKey(), topics.markMissing(topic)); // the broker says it is gone
          }
        }
        for (String topic : out.metadataTimeouts) {
          Long retryAt = missing.containsKey(topic) ? missing.get(topic) : topics.recheck(topic);
          if (retryAt != null) {
            missing.put(topic, retryAt); // deleted since it was checked: its rows wait
            backOff(e.getKey(), retryAt);
          }
        }
        if (out.outage()) {
          outage = out.firstRetriable;
          e.getKey().claimApart = true; // even if the pass ends here: see OwnedLane.claimApart
        } else {
          anyProgress = true;
        }
      }
      if (!anyProgress && outage != null) {
        throw new RelayOutageException(BatchSender.describe(outage), outage);
      }
      if (cursorPass != null) {
        Map<OwnedLane, Long> moves = new java.util.LinkedHashMap<>();
        for (Map.Entry<OwnedLane, BatchSender.Outcome> e : outcomes.entrySet()) {
          OwnedLane lane = e.getKey();
          long left = settle(lane, pending.get(lane).rows, e.getValue(), true);
          long reach = cursorPass.reach.getOrDefault(lane, lane.cursor);
          moves.put(lane, left == Long.MAX_VALUE ? reach : Math.min(reach, left - 1));
        }
        for (Map.Entry<OwnedLane, Long> e : cursorPass.reach.entrySet()) {
          if (!claimed.containsKey(e.getKey())) {
            moves.put(e.getKey(), e.getValue()); // no row of the lane up to its reach
          }
        }
        moves.entrySet().removeIf(e -> e.getValue() <= e.getKey().cursor);
        writes.moveCursors(moves);
      } else {
        Set<OwnedLane> removed = writes.removeAll(outcomes);
        for (Map.Entry<OwnedLane, BatchSender.Outcome> e : outcomes.entrySet()) {
          settle(
              e.getKey(), pending.get(e.getKey()).rows, e.getValue(), removed.contains(e.getKey()));
        }
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

  /**
   * Cursor claims: while Kafka acknowledges the pass just sent, reads the same lanes' next rows
   * from where the pass reached, so that the database's work overlaps the broker's. Only when every
   * lane of the pass is read in one scan (none left rows behind in an earlier pass), the fence is
   * above where some lane reached, and the pass in flight leaves room in the byte budget (the
   * read-ahead's rows and the pass's together stay within it). The next pass takes the read-ahead
   * only for lanes that are still this worker's and whose cursors moved exactly to where it read
   * from (every row of the pass settled, see {@link CursorClaims.Pass#covers}); else it claims as
   * usual and the read-ahead is dropped. A read-ahead that fails or finds nothing is dropped too:
   * the next pass claims.
   *
   * @return the read-ahead, or null
   */
  private CursorClaims.Pass readAhead(List<OwnedLane> lanes, CursorClaims.Pass inFlight) {
    if (!running || lanes.isEmpty() || inFlight.bytes >= config.maxBytesPerPass()) {
      return null;
    }
    long fence = idFence.fence();
    boolean behind = false;
    for (OwnedLane lane : lanes) {
      if (lane.claimApart || !inFlight.from.containsKey(lane)) {
        return null;
      }
      behind |= inFlight.reach.getOrDefault(lane, lane.cursor) < fence;
    }
    if (!behind) {
      return null;
    }
    try {
      CursorClaims.Pass ahead =
          cursorClaims.claim(List.of(), lanes, fence, inFlight.reach, inFlight.bytes);
      return ahead.rows.isEmpty() ? null : ahead;
    } catch (SQLException e) {
      log.debug("OutboxRelay {} worker {}: read-ahead failed: {}", owner, index, e.toString());
      return null;
    }
  }

  /**
   * Whether a worker claims these lanes in one scan in id order (PostgreSQL). The scan reads the
   * primary key and filters the lanes: each page it reads holds rows of every lane, so it pays when
   * the worker serves at least half of all lanes (one instance with the default lanes and workers);
   * with fewer, it reads mostly rows it does not keep (measured: no gain with a quarter,
   * benchmarks/RESULTS.md), and the lanes are read one by one through the (lane, id) index instead.
   *
   * @param lanes the worker's lanes in this pass
   * @param total the relay's lane count
   */
  static boolean scansInIdOrder(int lanes, int total) {
    return lanes > 0 && (long) lanes * ID_ORDER_SHARE >= total;
  }

  private void backOff(OwnedLane lane, long untilNanos) {
    backedOff.merge(lane, untilNanos, (a, b) -> b - a > 0 ? b : a);
  }

  /**
   * Asks for the buffered records to be sent at once, without waiting: a flush runs on a thread of
   * its own, so that a partition that never answers cannot hold this worker.
   */
  private void requestFlush() {
    if (flushQueued.compareAndSet(false, true)) {
      try {
        flusher.execute(
            () -> {
              flushQueued.set(false);
              try {
                producer.flush();
              } catch (RuntimeException e) {
                log.debug("OutboxRelay {} worker {}: flush ended: {}", owner, index, e.toString());
              }
            });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        flushQueued.set(false); // closing: the producer's own linger sends what is left
      }
    }
  }

  /**
   * Kafka did not acknowledge these lanes' batches by the deadline: abort the sends (the rows stay
   * in the outbox) and give the lanes up, so that another instance can take them over.
   */
  private void giveUp(List<OwnedLane> lanes) {
    List<Integer> numbers = new ArrayList<>();
    lanes.forEach(l -> numbers.add(l.lane));
    log.warn(
        "OutboxRelay {} worker {}: Kafka did not acknowledge lanes {} within {}; aborting their"
            + " sends and giving the lanes up for {}",
        owner,
        index,
        numbers,
        config.ackTimeout(),
        holdOff());
    replaceProducer();
    RelayOutageException e =
        new RelayOutageException(
            "no acknowledgement within " + config.ackTimeout() + " for lanes " + numbers, null);
    Listeners.safely(owner, () -> listener.onRetriableError("broker", e));
    for (OwnedLane lane : lanes) {
      leases.giveUp(lane, holdOff());
    }
  }

  private Duration holdOff() {
    return config.leaseDuration().multipliedBy(2);
  }

  /**
   * Removes what was acknowledged, sets aside what never can be, and moves the lane's marks.
   * Returns the id of the first row that stays (not published, quarantined or removed), {@link
   * Long#MAX_VALUE} when none does.
   */
  private long settle(OwnedLane lane, List<Row> rows, BatchSender.Outcome out, boolean ackedRemoved)
      throws SQLException {
    if (out.outage()) {
      lane.claimApart = true;
      return rows.get(0).id(); // this lane's broker partitions are away; its rows stay
    }
    if (!out.overtaking.isEmpty()) {
      // Kafka failed an earlier record of these keys after it had taken later ones (an error that
      // surfaces only after the send, such as a lost producer sequence): nothing can undo it.
      log.error(
          "OutboxRelay {}: lane {} published {} rows (first: event {}) ahead of an earlier row of"
              + " their key that failed ({}); that key's order on topic {} is broken",
          owner,
          lane.lane,
          out.overtaking.size(),
          out.overtaking.get(0).eventId(),
          out.firstRetriable == null ? "held" : BatchSender.describe(out.firstRetriable),
          out.overtaking.get(0).topic());
    }
    Set<Long> removed = new HashSet<>();
    if (!out.acked.isEmpty()) {
      if (!ackedRemoved) {
        lane.claimApart = true;
        return rows.get(0).id();
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
    lane.claimApart = removed.size() < rows.size();
    long left = Long.MAX_VALUE;
    for (Row row : rows) {
      if (!removed.contains(row.id())) {
        left = row.id();
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
    return left;
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
    flusher.shutdownNow();
  }

  /** The broker did not take a single record of a batch. */
  static final class RelayOutageException extends Exception {
    private static final long serialVersionUID = 1L;

    RelayOutageException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
