package dev.keel.outbox.internal;

import dev.keel.event.FatalKeelException;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.MissingSchemaException;
import dev.keel.event.sql.SqlDialect;
import dev.keel.outbox.CleanupMode;
import dev.keel.outbox.OutboxRelay;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link OutboxRelay}: a lease thread, worker threads, and a LISTEN thread on PostgreSQL. */
public final class DefaultOutboxRelay implements OutboxRelay {
  private static final Logger log = LoggerFactory.getLogger(DefaultOutboxRelay.class);

  /** Cursor claims: how often the fence is sampled while no sample waits to settle. */
  static final long FENCE_SAMPLE_MILLIS = 50;

  /**
   * Cursor claims: the pause before the next sample while an earlier one waits to settle (rows were
   * appended since the fence last moved).
   */
  static final long FENCE_SETTLE_MILLIS = 10;

  /** Cursor claims: samples in a row without a move of the fence before sampling slows down. */
  static final int FENCE_STALLS = 10;

  /** Cursor claims: how often published rows are cleaned up. */
  static final long CLEANUP_MILLIS = 1000;

  private final RelayConfig config;
  private final String owner;
  private final Wakeup wakeup = new Wakeup();

  /** Cursor claims: asks the fence thread for a sample now (a NOTIFY said rows were appended). */
  private final Wakeup fenceKick = new Wakeup();

  private final List<LaneWorker> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private DataSource dataSource;
  private OwnedPool ownedPool;
  private OutboxSql sql;
  private LeaseManager leases;
  private RelayMetrics metrics;
  private LaneWrites cleanUps;
  private int fenceFailures;
  private ScheduledExecutorService scheduler;
  private NotifyListener notify;
  private TopicGate topicGate;
  private RelayClients clients = RelayClients.KAFKA;
  private volatile boolean running;
  private boolean closed;

  /** Use {@link OutboxRelay#builder()}. */
  public DefaultOutboxRelay(RelayConfig config) {
    this.config = config;
    this.owner = config.instanceId() != null ? config.instanceId() : defaultInstanceId();
  }

  /**
   * For tests only: the Kafka clients the relay uses instead of the real ones. Call before {@link
   * #start()}.
   */
  synchronized void useClients(RelayClients clients) {
    if (running) {
      throw new IllegalStateException("OutboxRelay " + owner + " already started");
    }
    this.clients = java.util.Objects.requireNonNull(clients, "clients");
  }

  private static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "relay";
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("OutboxRelay " + owner + " is closed");
    }
    if (running) {
      return;
    }
    dataSource = config.dataSource() != null ? config.dataSource() : ownPool();
    SqlDialect dialect =
        config.dialect() != null ? config.dialect() : SqlDialect.detect(dataSource);
    sql = new OutboxSql(dialect, config.tableNames());
    if (config.cursorClaims() && dialect != SqlDialect.POSTGRES) {
      closeOwned();
      throw new KeelConfigurationException(
          "OutboxRelay.cursorClaims needs PostgreSQL; the database is " + dialect);
    }
    KeelDatabase.builder()
        .dataSource(dataSource)
        .dialect(dialect)
        .tableNames(config.tableNames())
        .schemaPolicy(config.schemaPolicy())
        .build()
        .prepare("outbox");
    leases =
        new LeaseManager(
            dataSource,
            sql,
            owner,
            config.lanes(),
            config.leaseDuration(),
            config.listener(),
            wakeup,
            config.cursorClaims());
    try {
      leases.init();
    } catch (SQLException e) {
      MissingSchemaException.of(e, "outbox", config.tableNames(), dialect)
          .ifPresent(
              missing -> {
                throw missing;
              });
      throw new FatalKeelException(
          "OutboxRelay " + owner + ": cannot prepare the lease table: " + e.getMessage(), e);
    }
    if (config.cursorClaims()) {
      try {
        checkCursorClaims();
      } catch (RuntimeException e) {
        closeOwned();
        throw e;
      }
      cleanUps = new LaneWrites(dataSource, sql, config, leases, owner);
    }
    metrics =
        new RelayMetrics(
            config.meterRegistry(), owner, () -> leases.ownedLanes().size(), leases::stoppedCount);
    CircuitBreaker breaker =
        CircuitBreaker.of(
            "keel-relay-" + owner,
            CircuitBreakerConfig.custom()
                .failureRateThreshold(50)
                .minimumNumberOfCalls(4)
                .slidingWindowSize(8)
                .waitDurationInOpenState(config.backoffMax())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
    running = true;
    scheduler =
        // the lease round, and the horizon sampler or (cursor claims) the cleanup
        Executors.newScheduledThreadPool(2, r -> thread(r, "keel-relay-lease-" + owner));
    long period = Math.max(100, config.leaseDuration().toMillis() / 3);
    scheduler.scheduleWithFixedDelay(this::leaseRound, 0, period, TimeUnit.MILLISECONDS);
    XidHorizon horizon =
        dialect == SqlDialect.POSTGRES && !config.cursorClaims() ? new XidHorizon() : null;
    if (horizon != null) {
      scheduler.scheduleWithFixedDelay(() -> sampleHorizon(horizon), 0, 100, TimeUnit.MILLISECONDS);
    }
    IdFence idFence = config.cursorClaims() ? new IdFence() : null;
    if (idFence != null) {
      Thread t = thread(() -> fenceLoop(idFence), "keel-relay-fence-" + owner);
      threads.add(t);
      t.start();
      scheduler.scheduleWithFixedDelay(
          () -> {
            RelayHooks.reach(RelayHooks.Point.CLEANUP_STARTED);
            if (running) {
              cleanUp();
            }
          },
          CLEANUP_MILLIS,
          CLEANUP_MILLIS,
          TimeUnit.MILLISECONDS);
    }
    InnoDbFence innoDbFence = dialect.isMySqlFamily() ? new InnoDbFence() : null;
    topicGate =
        new TopicGate(
            config.producerProperties(),
            owner,
            config.backoffInitial(),
            config.backoffMax(),
            clients);
    topicGate.connect();
    RelayClients publishing =
        ObservedClients.of(clients, config.observationRegistry(), config.sendConvention());
    for (int i = 0; i < config.workers(); i++) {
      LaneWorker w =
          new LaneWorker(
              i,
              config,
              dataSource,
              sql,
              leases,
              wakeup,
              breaker,
              metrics,
              owner,
              horizon,
              idFence,
              innoDbFence,
              topicGate,
              publishing);
      workers.add(w);
      Thread t = thread(w, "keel-relay-worker-" + owner + "-" + i);
      threads.add(t);
      t.start();
    }
    if (config.listenNotify() && dialect == SqlDialect.POSTGRES) {
      startListener();
    }
    log.info(
        "OutboxRelay {} started: {} lanes, {} workers, batch {}, {} bytes per pass, ack timeout {},"
            + " {} ({})",
        owner,
        config.lanes(),
        config.workers(),
        config.batchSize(),
        config.maxBytesPerPass(),
        config.ackTimeout(),
        dialect,
        config.tableNames());
  }

  /** LISTEN needs pgjdbc's API; without the driver's classes the relay only polls. */
  private void startListener() {
    if (!OptionalClasses.pgjdbcVisible()) {
      log.info(
          "OutboxRelay {}: LISTEN/NOTIFY off, the PostgreSQL driver (org.postgresql:postgresql) is"
              + " not visible to Keel's class loader; polling only",
          owner);
      return;
    }
    notify =
        new NotifyListener(
            dataSource,
            sql.notifyChannel,
            () -> {
              wakeup.signal();
              fenceKick.signal();
            },
            config.backoffMax());
    Thread t = thread(notify, "keel-relay-listen-" + owner);
    threads.add(t);
    t.start();
  }

  private DataSource ownPool() {
    ownedPool = OwnedPool.create(config, owner);
    return ownedPool.dataSource();
  }

  private static Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private void leaseRound() {
    if (!running) {
      return;
    }
    try {
      leases.tick();
      refreshStats();
      if (config.cleanupMode() == CleanupMode.MARK_PUBLISHED) {
        purgePublished();
      }
    } catch (SQLException e) {
      log.warn(
          "OutboxRelay {}: lease round failed ({}); lanes are dropped when their lease runs out",
          owner,
          e.getMessage());
      config.listener().onRetriableError("lease", e);
    } catch (RuntimeException e) {
      log.error("OutboxRelay {}: lease round failed", owner, e);
    }
  }

  private void sampleHorizon(XidHorizon horizon) {
    if (!running) {
      return;
    }
    try {
      horizon.sample(dataSource, sql);
    } catch (SQLException e) {
      log.debug("OutboxRelay {}: horizon sample failed ({})", owner, e.getMessage());
    }
  }

  /**
   * Cursor claims: the fence must be computable (an outbox sequence handing out one id at a time)
   * and the lease table must have its cursor column.
   */
  private void checkCursorClaims() {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement(sql.cursorOf())) {
        ps.setInt(1, -1);
        ps.setString(2, owner);
        ps.setLong(3, -1);
        ps.executeQuery().close();
      } catch (SQLException e) {
        throw new FatalKeelException(
            "OutboxRelay "
                + owner
                + ": cursor claims need the lease table's published_to column; apply the outbox"
                + " schema's V4__lane_cursor.sql ("
                + e.getMessage()
                + ")",
            e);
      }
      try (PreparedStatement ps = c.prepareStatement(sql.sequenceCache());
          ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new KeelConfigurationException(
              "OutboxRelay " + owner + ": cursor claims need the outbox's id sequence; none found");
        }
        long cache = rs.getLong(1);
        if (!rs.getBoolean(2)) {
          throw new KeelConfigurationException(
              "OutboxRelay "
                  + owner
                  + ": cursor claims need SELECT or USAGE on the outbox's id sequence for the"
                  + " relay's database user, to read how far ids were handed out");
        }
        if (cache != 1) {
          throw new KeelConfigurationException(
              "OutboxRelay "
                  + owner
                  + ": cursor claims need the outbox's id sequence to have CACHE 1 (it has "
                  + cache
                  + "): a session caching ids could commit a row below the fence after it moved");
        }
      }
    } catch (SQLException e) {
      throw new FatalKeelException(
          "OutboxRelay " + owner + ": cannot check the outbox for cursor claims: " + e.getMessage(),
          e);
    }
  }

  /**
   * Cursor claims: samples the fence until the relay stops. Rows appended since the fence last
   * moved settle one sample later once their transactions ended, so while a sample waits to settle
   * the next follows after {@link #FENCE_SETTLE_MILLIS}; after {@link #FENCE_STALLS} samples in a
   * row that did not move the fence (a transaction held open) and while nothing waits, after {@link
   * #FENCE_SAMPLE_MILLIS}. While nothing waits, a NOTIFY from an append asks for a sample at once.
   */
  private void fenceLoop(IdFence fence) {
    int stalls = 0;
    while (running) {
      long token = fenceKick.token();
      long before = fence.fence();
      boolean sampled = sampleFence(fence);
      stalls = !sampled || fence.fence() > before ? 0 : stalls + 1;
      try {
        if (sampled && fence.settling() && stalls < FENCE_STALLS) {
          TimeUnit.MILLISECONDS.sleep(FENCE_SETTLE_MILLIS);
        } else {
          fenceKick.await(token, Duration.ofMillis(FENCE_SAMPLE_MILLIS));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Takes one sample of the fence; returns whether it succeeded. */
  private boolean sampleFence(IdFence fence) {
    if (!running) {
      return false;
    }
    try {
      if (fence.sample(dataSource, sql)) {
        wakeup.signal();
      }
      fenceFailures = 0;
      return true;
    } catch (SQLException e) {
      // nothing is published past the fence while it cannot be sampled: say so once per streak
      if (fenceFailures++ == 0) {
        log.warn(
            "OutboxRelay {}: fence sample failed ({}); publishing waits until a sample succeeds",
            owner,
            e.getMessage());
      } else {
        log.debug("OutboxRelay {}: fence sample failed ({})", owner, e.getMessage());
      }
    } catch (RuntimeException e) {
      log.error("OutboxRelay {}: fence sample failed", owner, e);
    }
    return false;
  }

  /** Cursor claims: deletes (or moves) the published rows of the owned lanes. */
  private void cleanUp() {
    try {
      cleanUps.cleanUp(leases.owned());
    } catch (SQLException e) {
      log.warn(
          "OutboxRelay {}: cleanup of published rows failed ({}); tried again in {} ms",
          owner,
          e.getMessage(),
          CLEANUP_MILLIS);
    } catch (RuntimeException e) {
      log.error("OutboxRelay {}: cleanup of published rows failed", owner, e);
    }
  }

  private void refreshStats() throws SQLException {
    if (config.meterRegistry() == null) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps =
              c.prepareStatement(config.cursorClaims() ? sql.statsAboveCursors() : sql.stats());
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        metrics.pending.set(rs.getLong(1));
        long oldestMicros = rs.getLong(2); // 0 when empty; measured on the database's clock
        metrics.oldestAgeMillis.set(Math.max(0, oldestMicros / 1000));
      }
      try (PreparedStatement ps = c.prepareStatement(sql.quarantineCount());
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        metrics.quarantined.set(rs.getLong(1));
      }
    }
  }

  private void purgePublished() throws SQLException {
    purgePublished(dataSource, sql, config.clock().instant().minus(config.publishedRetention()));
  }

  /**
   * Deletes up to 1000 published rows stamped before {@code cutoff} (an instant of the injected
   * clock; see {@link SqlDialect#stampedInstantParameter}) and returns how many.
   */
  static int purgePublished(DataSource dataSource, OutboxSql sql, Instant cutoff)
      throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql.purgePublished())) {
      c.setAutoCommit(true);
      sql.dialect.setStampedInstant(ps, 1, cutoff);
      return ps.executeUpdate();
    }
  }

  @Override
  public String instanceId() {
    return owner;
  }

  @Override
  public Set<Integer> ownedLanes() {
    return leases == null ? Set.of() : leases.ownedLanes();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!running) {
      closeOwned();
      return;
    }
    running = false;
    scheduler.shutdownNow();
    workers.forEach(LaneWorker::stop);
    if (notify != null) {
      notify.stop();
    }
    wakeup.signal();
    fenceKick.signal();
    long deadline = System.nanoTime() + config.closeTimeout().toNanos();
    joinUntil(deadline);
    if (threads.stream().anyMatch(Thread::isAlive)) {
      log.warn(
          "OutboxRelay {}: batches still in flight after {}; aborting them (their rows stay in the outbox)",
          owner,
          config.closeTimeout());
      workers.forEach(w -> w.closeProducer(Duration.ZERO));
      joinUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }
    workers.forEach(w -> w.closeProducer(Duration.ofSeconds(5)));
    topicGate.close();
    if (cleanUps != null) {
      cleanUp(); // what this instance published leaves the outbox before its lanes do
    }
    leases.releaseAll();
    metrics.close();
    closeOwned();
    log.info("OutboxRelay {} closed", owner);
  }

  /**
   * Stops every thread at once without finishing batches, releasing leases or leaving the
   * membership: what a killed process leaves behind. For failure tests only.
   */
  public synchronized void simulateCrash() {
    closed = true;
    running = false;
    scheduler.shutdownNow();
    workers.forEach(LaneWorker::stop);
    if (notify != null) {
      notify.stop();
    }
    workers.forEach(w -> w.closeProducer(Duration.ZERO));
    topicGate.close();
    threads.forEach(Thread::interrupt);
    wakeup.signal();
    fenceKick.signal();
    joinUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    metrics.close();
    closeOwned();
  }

  private void joinUntil(long deadlineNanos) {
    for (Thread t : threads) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void closeOwned() {
    if (ownedPool != null) {
      ownedPool.close();
    }
  }
}
