package dev.keel.consumer.internal;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.consumer.tiers.RetryTierConsumer;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.RetryTiers;
import dev.keel.dlq.micrometer.DlqMetrics;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.sql.SqlDialect;
import dev.keel.retry.InPlaceRetry;
import dev.keel.retry.RetryPolicy;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The runtime: one poll loop and worker pool per group and topic, plus the dedupe cleanup. */
public final class DefaultConsumerRuntime implements ConsumerRuntime {
  private static final Logger log = LoggerFactory.getLogger(DefaultConsumerRuntime.class);

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private final RuntimeConfig config;
  private final KafkaClients clients;
  private final List<SubscriptionPlan> plans;
  private final List<ListenerDefinition> listeners;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final List<PollLoop> loops = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<ExecutorService> pools = new ArrayList<>();
  private State state = State.NEW;
  private volatile boolean stopped;
  private DataSource dataSource;
  private OwnedPool ownedPool;
  private SqlDialect dialect;
  private DedupeStore dedupe;
  private DeadLetterPublisher ownPublisher;
  private RetryTiers tiers;
  private final List<RetryTierConsumer> tierConsumers = new ArrayList<>();
  private DlqMetrics dlqMetrics;
  private ConsumerMetrics metrics;
  private ScheduledExecutorService cleanup;

  /**
   * Validates the listeners against each other.
   *
   * @throws dev.keel.event.KeelConfigurationException naming the listeners that conflict
   */
  public DefaultConsumerRuntime(RuntimeConfig config, List<ListenerDefinition> listeners) {
    this(config, listeners, KafkaClients.REAL);
  }

  /** With the Kafka clients to use: the seam for unit tests (Kafka's {@code MockConsumer}). */
  DefaultConsumerRuntime(
      RuntimeConfig config, List<ListenerDefinition> listeners, KafkaClients clients) {
    this.clients = clients;
    this.config = config;
    this.plans = SubscriptionPlan.plan(listeners, config.threads());
    this.listeners = List.copyOf(listeners);
  }

  @Override
  public List<ListenerDefinition> listeners() {
    return listeners;
  }

  @Override
  public RetryPolicy retryPolicy() {
    return config.retryPolicy();
  }

  @Override
  public Duration dedupeRetention() {
    return config.dedupeRetention();
  }

  @Override
  public List<Duration> retryTiers() {
    return config.retryTierDelays();
  }

  @Override
  public synchronized void start() {
    if (state != State.NEW) {
      throw new IllegalStateException("ConsumerRuntime can be started once, state " + state);
    }
    state = State.RUNNING;
    try {
      startAll();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void startAll() {
    if (config.dataSource() != null) {
      dataSource = config.dataSource();
    } else {
      ownedPool = OwnedPool.create(config, plans.stream().mapToInt(p -> p.concurrency()).sum());
      dataSource = ownedPool.dataSource();
    }
    dialect = config.dialect() != null ? config.dialect() : SqlDialect.detect(dataSource);
    KeelDatabase database = database();
    database.prepare("consumer");
    if (config.schemaPolicy() == SchemaPolicy.NONE) {
      // nothing installed or checked the tables: a missing one stops the start here, as a
      // configuration error, rather than failing every record as a retriable error
      database.requireTables("consumer", "consumer_dedupe");
    }
    dedupe = new DedupeStore(dialect, config.tableNames());
    DeadLetterPublisher publisher = config.publisher();
    if (publisher == null) {
      publisher = ownPublisher();
    }
    metrics = new ConsumerMetrics(config.meterRegistry());
    plans.forEach(p -> metrics.group(p.group()));
    AbandonableSleeper sleeper = new AbandonableSleeper(config.sleeper());
    InPlaceRetry retry =
        InPlaceRetry.builder()
            .policy(config.retryPolicy())
            .classifier(config.classifier())
            .sleeper(sleeper)
            .clock(config.clock())
            .build();
    if (!config.retryTierDelays().isEmpty()) {
      tiers =
          RetryTiers.builder()
              .kafka(KafkaClients.producerProperties(config))
              .delays(config.retryTierDelays().toArray(Duration[]::new))
              .clock(config.clock())
              .build();
    }
    for (SubscriptionPlan plan : plans) {
      String name = "keel-consumer-" + plan.group() + "-" + plan.topic();
      ExecutorService pool = Executors.newFixedThreadPool(plan.concurrency(), threads(name + "-w"));
      pools.add(pool);
      RecordProcessor processor =
          new RecordProcessor(
              plan,
              new RecordPreparer(plan, config.contracts(), config.json()),
              dataSource,
              config.transactions(),
              dialect,
              dedupe,
              retry,
              sleeper,
              publisher,
              tiers,
              config.retryPolicy(),
              publisher.orderedMode(),
              metrics,
              config.clock(),
              this::fail,
              new ProcessObservations(config.observationRegistry(), config.processConvention()));
      if (tiers != null) {
        RetryTierConsumer.Builder tier =
            RetryTierConsumer.builder()
                .kafka(config.consumerProperties())
                .group(plan.group() + ".retry")
                .originalGroup(plan.group())
                .sourceTopics(List.of(plan.topic()))
                .tiers(tiers)
                .publisher(publisher)
                .classifier(config.classifier())
                .handler(processor::handleTierRecord)
                .clock(config.clock())
                .pollTimeout(config.pollTimeout());
        if (config.meterRegistry() != null) {
          tier.meterRegistry(config.meterRegistry()); // keel.dlq.tier.delivery.retries{group}
        }
        tierConsumers.add(tier.build());
      }
      LaneExecutor lanes = new LaneExecutor(pool, config.maxBatchSize(), processor);
      PollLoop loop =
          new PollLoop(
              plan,
              clients.consumer(config, plan.group()),
              lanes,
              config,
              metrics.lagOf(plan.group()),
              this::fail);
      loops.add(loop);
      Thread t = new Thread(loop, name);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    tierConsumers.forEach(RetryTierConsumer::start);
    cleanup = Executors.newSingleThreadScheduledExecutor(threads("keel-consumer-cleanup"));
    long every = config.cleanupInterval().toMillis();
    cleanup.scheduleWithFixedDelay(this::cleanupQuietly, every, every, TimeUnit.MILLISECONDS);
    log.info("Keel consumer runtime started: {} subscription(s) on {}", plans.size(), dialect);
  }

  private KeelDatabase database() {
    return KeelDatabase.builder()
        .dataSource(dataSource)
        .dialect(dialect)
        .tableNames(config.tableNames())
        .schemaPolicy(config.schemaPolicy())
        .build();
  }

  private DeadLetterPublisher ownPublisher() {
    DeadLetterStore store =
        DeadLetterStore.builder()
            .dataSource(dataSource)
            .dialect(dialect)
            .tableNames(config.tableNames())
            .clock(config.clock())
            .build();
    KeelDatabase database = database();
    database.prepare("dlq");
    if (config.schemaPolicy() == SchemaPolicy.NONE) {
      database.requireTables("dlq", "dead_letter", "dlq_parked", "dlq_blocked_key", "dlq_audit");
    }
    DeadLetterPublisher.Builder b =
        DeadLetterPublisher.builder()
            .kafka(KafkaClients.producerProperties(config))
            .store(store)
            .orderedMode(config.orderedMode())
            .clock(config.clock());
    if (config.meterRegistry() != null) {
      Set<String> groups = new LinkedHashSet<>();
      plans.forEach(p -> groups.add(p.group()));
      dlqMetrics = DlqMetrics.bind(config.meterRegistry(), store, Clock.systemUTC(), groups);
      b.listener(dlqMetrics);
    }
    ownPublisher = b.build();
    return ownPublisher;
  }

  /** Stops everything after a fatal failure; the first failure is kept. */
  private void fail(Throwable t) {
    if (failure.compareAndSet(null, t)) {
      log.error("Keel consumer runtime stopping after a fatal failure: {}", t.getMessage());
    }
    stopped = true;
    loops.forEach(PollLoop::stop);
  }

  @Override
  public boolean isRunning() {
    synchronized (this) {
      return state == State.RUNNING && !stopped;
    }
  }

  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  @Override
  public long cleanupNow() {
    DataSource ds;
    synchronized (this) {
      if (state != State.RUNNING) {
        throw new IllegalStateException("ConsumerRuntime.cleanupNow needs a started runtime");
      }
      ds = dataSource;
    }
    Instant started = config.clock().instant();
    Instant cutoff = started.minus(config.dedupeRetention());
    Instant deadline = started.plus(config.cleanupInterval());
    Set<String> groups = new LinkedHashSet<>();
    plans.forEach(p -> groups.add(p.group()));
    long total = 0;
    try {
      for (String group : groups) {
        total += cleanup(ds, group, cutoff, deadline);
      }
    } catch (SQLException e) {
      throw new dev.keel.event.RetriableKeelException(
          "Keel consumer: removing expired dedupe rows failed: " + e.getMessage(), e);
    }
    return total;
  }

  /**
   * Deletes a group's expired rows batch by batch while batches come back full, up to the run's row
   * budget and deadline; says so (log and counter) when the budget ends with rows left.
   */
  private long cleanup(DataSource ds, String group, Instant cutoff, Instant deadline)
      throws SQLException {
    int batch = config.cleanupBatchSize();
    long budget = config.cleanupMaxRowsPerRun();
    long removed = 0;
    boolean cleared = false;
    while (!cleared && removed < budget && config.clock().instant().isBefore(deadline)) {
      int limit = (int) Math.min(batch, budget - removed);
      int n = dedupe.deleteExpired(ds, group, cutoff, limit);
      removed += n;
      cleared = n < limit; // a batch that came back short: nothing expired is left
    }
    metrics.dedupeRemoved(group, removed);
    if (!cleared) {
      metrics.cleanupIncomplete(group);
      log.warn(
          "Keel consumer: group {} may still have expired dedupe rows: this cleanup run stopped after {}"
              + " (cleanupMaxRowsPerRun {}, cleanupInterval {}); the backlog is cleared in the"
              + " next runs, raise cleanupMaxRowsPerRun or cleanupBatchSize if it keeps growing",
          group,
          removed,
          budget,
          config.cleanupInterval());
    }
    return removed;
  }

  private void cleanupQuietly() {
    try {
      long n = cleanupNow();
      if (n > 0) {
        log.debug("Keel consumer: removed {} expired dedupe rows", n);
      }
    } catch (RuntimeException e) {
      log.warn("Keel consumer: dedupe cleanup failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
    }
    stopped = true;
    loops.forEach(PollLoop::stop);
    long joinMillis = config.closeTimeout().plusSeconds(15).toMillis();
    for (Thread t : threads) {
      try {
        t.join(joinMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    tierConsumers.forEach(DefaultConsumerRuntime::closeQuietly);
    for (ExecutorService pool : pools) {
      pool.shutdown();
      try {
        if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
          pool.shutdownNow();
        }
      } catch (InterruptedException e) {
        pool.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    if (cleanup != null) {
      cleanup.shutdownNow();
    }
    closeQuietly(tiers);
    closeQuietly(ownPublisher);
    closeQuietly(dlqMetrics);
    closeQuietly(metrics);
    closeQuietly(ownedPool);
    log.info("Keel consumer runtime closed");
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.debug("Keel consumer: closing {} failed", c.getClass().getSimpleName(), e);
    }
  }

  private static java.util.concurrent.ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
