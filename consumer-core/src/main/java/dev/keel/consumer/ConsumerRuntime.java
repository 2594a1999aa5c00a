package dev.keel.consumer;

import dev.keel.consumer.internal.AnnotatedListeners;
import dev.keel.consumer.internal.DefaultConsumerRuntime;
import dev.keel.consumer.internal.RuntimeConfig;
import dev.keel.consumer.observation.ConsumerProcessContext;
import dev.keel.consumer.observation.ConsumerProcessObservationConvention;
import dev.keel.consumer.observation.DefaultConsumerProcessObservationConvention;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.retry.FailureClassifier;
import dev.keel.retry.RetryPolicy;
import dev.keel.retry.spi.Sleeper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Runs idempotent Kafka consumers: for every record, {@code poll → deserialize → dedupe insert →
 * handler → DB commit → offset commit}, with the dedupe row {@code (consumer_group, event_id)} and
 * the handler's effects committed in one database transaction. A record delivered again (producer
 * retry, rebalance, crash after the DB commit, offset reset, replay) finds its dedupe row and has
 * no effect; no exception is raised. Failures go to the dlq-core retry policy: retried in place
 * with backoff, then dead-lettered to {@code <topic>.dlq} and {@code keel_dead_letter}.
 *
 * <pre>{@code
 * ConsumerRuntime runtime = ConsumerRuntime.builder()
 *     .consumerProperties(Map.of("bootstrap.servers", bootstrap, "auto.offset.reset", "earliest"))
 *     .dataSource(dataSource)
 *     .retryPolicy(RetryPolicy.builder().maxAttempts(5).build())
 *     .meterRegistry(registry)
 *     .register(new Billing(outbox))          // @KeelListener methods
 *     .build();
 * runtime.start();
 * ...
 * runtime.close();                            // stop polling, finish in-flight, commit, close
 * }</pre>
 *
 * <p>One Kafka consumer (poll thread) runs per group and topic, feeding that listener's worker
 * threads. Offsets are committed only below the lowest unfinished record of each partition, on
 * revoke and on close. Dedupe rows older than {@link Builder#dedupeRetention} are removed in small
 * batches by a background task; size the window above the longest time a record can be delivered
 * again (topic retention, offset resets, replays from the dead-letter queue).
 *
 * <p>Thread-safe. The runtime owns its Kafka consumers, worker threads, its dead-letter publisher
 * (unless one was given) and its connection pool (only with {@link Builder#jdbcUrl}); it never
 * closes a given {@link DataSource} or {@link DeadLetterPublisher}.
 */
public interface ConsumerRuntime extends AutoCloseable {

  /** Starts a builder. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * A builder with the {@code consumer} keys of a properties tree applied ({@code keel.consumer.*};
   * see {@link ConfigKey}). Add {@code .database(db)}, {@code .kafka(kafka)} and the listeners.
   *
   * @throws KeelConfigurationException naming a key that is wrong or unknown
   */
  static Builder fromProperties(KeelSettings settings) {
    return builder().settings(settings);
  }

  /**
   * Installs the tables when asked to, and starts the consumers and the cleanup task.
   *
   * @throws IllegalStateException when started twice or after close
   * @throws dev.keel.event.FatalKeelException when the tables cannot be installed
   * @throws KeelConfigurationException when the database is not supported or unreachable
   */
  void start();

  /**
   * The listeners this runtime runs, annotated methods included, in registration order. Read-only;
   * the advisor describes a running service from it.
   */
  List<ListenerDefinition> listeners();

  /** The retry policy failed records go through before they are dead-lettered. */
  RetryPolicy retryPolicy();

  /** How long dedupe rows are kept: redeliveries older than this are no longer recognised. */
  Duration dedupeRetention();

  /** The delays of the delay tiers, tier 1 first; empty when retries stay in place only. */
  List<Duration> retryTiers();

  /** Whether started and neither closed nor stopped by a fatal failure. */
  boolean isRunning();

  /** The failure that stopped the runtime (a {@code FAIL_FAST} decision, a fatal error), if any. */
  Optional<Throwable> failure();

  /**
   * Removes one round of expired dedupe rows now (what the background task does every {@link
   * Builder#cleanupInterval}), in batches of {@link Builder#cleanupBatchSize} for as long as they
   * come back full, up to {@link Builder#cleanupMaxRowsPerRun} rows per group and the cleanup
   * interval in time.
   *
   * @return rows removed
   * @throws IllegalStateException when the runtime is not running
   * @throws dev.keel.event.RetriableKeelException when the database refused the delete
   */
  long cleanupNow();

  /**
   * Stops polling, lets records already being handled finish (up to {@link Builder#closeTimeout}),
   * commits the offsets of finished records and closes the consumers. Records fetched but not
   * started are left to the next owner of the partition. Idempotent.
   */
  @Override
  void close();

  /**
   * Builds a {@link ConsumerRuntime}; {@link #build()} validates everything, listeners included,
   * and fails with a message naming the property or the method. Not thread-safe.
   */
  final class Builder {
    private Map<String, Object> consumerProperties;
    private Map<String, Object> producerProperties;
    private DataSource dataSource;
    private String jdbcUrl;
    private String jdbcUser;
    private String jdbcPassword;
    private SqlDialect dialect;
    private TableNames tableNames = TableNames.defaults();
    private SchemaPolicy schemaPolicy =
        ConfigKey.DATABASE_SCHEMA_POLICY.enumDefault(SchemaPolicy.class);
    private EventContracts contracts = EventContracts.none();
    private JsonCodec json;
    private int threads = ConfigKey.CONSUMER_THREADS.intDefault();
    private int maxInFlight = ConfigKey.CONSUMER_MAX_IN_FLIGHT.intDefault();
    private int maxBatchSize = ConfigKey.CONSUMER_MAX_BATCH_SIZE.intDefault();
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private FailureClassifier classifier = FailureClassifier.defaults();
    private DeadLetterPublisher publisher;
    private Boolean orderedMode;
    private List<Duration> retryTierDelays = List.of();
    private Sleeper sleeper = Sleeper.system();
    private MeterRegistry meterRegistry;
    private Duration dedupeRetention = ConfigKey.CONSUMER_DEDUPE_RETENTION.durationDefault();
    private Duration cleanupInterval = ConfigKey.CONSUMER_CLEANUP_INTERVAL.durationDefault();
    private int cleanupBatchSize = ConfigKey.CONSUMER_CLEANUP_BATCH_SIZE.intDefault();
    private long cleanupMaxRowsPerRun = ConfigKey.CONSUMER_CLEANUP_MAX_ROWS_PER_RUN.longDefault();
    private Duration pollTimeout = ConfigKey.CONSUMER_POLL_TIMEOUT.durationDefault();
    private Duration commitInterval = ConfigKey.CONSUMER_COMMIT_INTERVAL.durationDefault();
    private Duration closeTimeout = ConfigKey.CONSUMER_CLOSE_TIMEOUT.durationDefault();
    private Clock clock = Clock.systemUTC();
    private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;
    private ConsumerProcessObservationConvention observationConvention;
    private HandlerTransactions transactions = HandlerTransactions.JDBC;
    private final List<Object> beans = new ArrayList<>();
    private final List<ListenerDefinition> definitions = new ArrayList<>();

    private Builder() {}

    /**
     * The shared database of the dedupe table (and of the dead letters of the runtime's own
     * publisher): data source (the caller keeps ownership), dialect, table names, schema policy.
     */
    public Builder database(KeelDatabase database) {
      this.dataSource = database.dataSource();
      this.dialect = database.dialect().orElse(null);
      this.tableNames = database.tableNames();
      this.schemaPolicy = database.schemaPolicy();
      return this;
    }

    /**
     * The shared Kafka cluster: its client properties serve the runtime's consumers and, unless
     * {@link #producerProperties(Map)} is set, its dead-letter producer. The rules of {@link
     * #consumerProperties(Map)} apply.
     */
    public Builder kafka(KeelKafka kafka) {
      return consumerProperties(kafka.clientProperties("consumer"));
    }

    /**
     * What {@link ConsumerRuntime#start()} does about the {@code consumer} (and, for the runtime's
     * own publisher, {@code dlq}) tables; {@code INSTALL} by default.
     */
    public Builder schemaPolicy(SchemaPolicy schemaPolicy) {
      this.schemaPolicy = schemaPolicy;
      return this;
    }

    /**
     * Applies the {@code consumer} keys that are set; keys left out keep this builder's values.
     *
     * @throws KeelConfigurationException naming a key that is wrong or unknown
     */
    public Builder settings(KeelSettings s) {
      s.requireKnown("consumer");
      s.intIfSet(ConfigKey.CONSUMER_THREADS).ifPresent(this::threads);
      s.intIfSet(ConfigKey.CONSUMER_MAX_IN_FLIGHT).ifPresent(this::maxInFlight);
      s.intIfSet(ConfigKey.CONSUMER_MAX_BATCH_SIZE).ifPresent(this::maxBatchSize);
      if (s.has(ConfigKey.CONSUMER_ORDERED_MODE)) {
        orderedMode(s.bool(ConfigKey.CONSUMER_ORDERED_MODE));
      }
      if (s.has(ConfigKey.CONSUMER_RETRY_TIERS)) {
        retryTiers(s.durations(ConfigKey.CONSUMER_RETRY_TIERS).toArray(Duration[]::new));
      }
      s.durationIfSet(ConfigKey.CONSUMER_DEDUPE_RETENTION).ifPresent(this::dedupeRetention);
      s.durationIfSet(ConfigKey.CONSUMER_CLEANUP_INTERVAL).ifPresent(this::cleanupInterval);
      s.intIfSet(ConfigKey.CONSUMER_CLEANUP_BATCH_SIZE).ifPresent(this::cleanupBatchSize);
      if (s.has(ConfigKey.CONSUMER_CLEANUP_MAX_ROWS_PER_RUN)) {
        cleanupMaxRowsPerRun(s.longValue(ConfigKey.CONSUMER_CLEANUP_MAX_ROWS_PER_RUN));
      }
      s.durationIfSet(ConfigKey.CONSUMER_POLL_TIMEOUT).ifPresent(this::pollTimeout);
      s.durationIfSet(ConfigKey.CONSUMER_COMMIT_INTERVAL).ifPresent(this::commitInterval);
      s.durationIfSet(ConfigKey.CONSUMER_CLOSE_TIMEOUT).ifPresent(this::closeTimeout);
      return this;
    }

    /**
     * Kafka consumer properties, passed through untouched and never logged by Keel (SASL and SSL
     * included). {@code bootstrap.servers} is required; {@code group.id} must not be set (each
     * listener names its group); {@code enable.auto.commit} is forced to false, and any other value
     * than false (after trimming, in any case) is refused; deserializers are the runtime's own
     * (bytes). Set {@code auto.offset.reset} as your service needs.
     */
    public Builder consumerProperties(Map<String, ?> properties) {
      this.consumerProperties = properties == null ? null : new HashMap<>(properties);
      return this;
    }

    /**
     * Kafka producer properties for the dead-letter publisher the runtime creates; by default the
     * consumer properties that are producer settings too (bootstrap, security).
     */
    public Builder producerProperties(Map<String, ?> properties) {
      this.producerProperties = properties == null ? null : new HashMap<>(properties);
      return this;
    }

    /** The database of the dedupe table and the handlers' effects; the caller keeps ownership. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /** A JDBC URL instead of a data source: the runtime creates and closes a HikariCP pool. */
    public Builder jdbcUrl(String url, String user, String password) {
      this.jdbcUrl = url;
      this.jdbcUser = user;
      this.jdbcPassword = password;
      return this;
    }

    /**
     * The dialect; detected from the database when not set.
     *
     * @deprecated use {@link #database(KeelDatabase)}
     */
    @Deprecated
    public Builder dialect(SqlDialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /**
     * Schema and prefix of Keel's tables; {@link TableNames#defaults()} by default.
     *
     * @deprecated use {@link #database(KeelDatabase)}
     */
    @Deprecated
    public Builder tableNames(TableNames tableNames) {
      this.tableNames = tableNames;
      return this;
    }

    /**
     * Whether {@link #start()} creates the dedupe table (and the dead-letter tables when the
     * runtime builds its own publisher). On by default; turn off when a migration tool runs the
     * scripts under {@code keel/sql/<dialect>/consumer}.
     *
     * @deprecated use {@link #schemaPolicy(SchemaPolicy)}: {@code true} is {@code INSTALL}, {@code
     *     false} is {@code NONE}
     */
    @Deprecated
    public Builder installSchema(boolean installSchema) {
      return schemaPolicy(installSchema ? SchemaPolicy.INSTALL : SchemaPolicy.NONE);
    }

    /** Contracts that choose the payload class by event type and version. None by default. */
    public Builder contracts(EventContracts contracts) {
      this.contracts = contracts;
      return this;
    }

    /** The JSON codec for payloads; {@link JsonCodec#create()} by default. */
    public Builder jsonCodec(JsonCodec json) {
      this.json = json;
      return this;
    }

    /** Default worker threads per group and topic, 1 to 256; 1 by default. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * The most unfinished records per partition before the partition is paused, 1 to 100,000; 500
     * by default. One poll may add up to {@code max.poll.records} beyond it.
     */
    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * The most records of one lane handled in one database transaction, 1 to 1,000; 100 by default.
     * A batch holds only records already waiting in the lane, so it adds no latency; its dedupe
     * rows are inserted with one statement on PostgreSQL, and it commits once. When any record of a
     * batch fails, the batch is rolled back and each of its records is handled again alone under
     * the retry policy: handlers must leave effects outside the transaction idempotent (as they
     * must anyway, since a crash before the commit also runs them again), or set 1 for a
     * transaction per record. Ordered dead-letter mode always uses 1.
     */
    public Builder maxBatchSize(int maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /** The retry policy; {@link RetryPolicy#defaults()} by default. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = retryPolicy;
      return this;
    }

    /** The failure classifier; {@link FailureClassifier#defaults()} by default. */
    public Builder failureClassifier(FailureClassifier classifier) {
      this.classifier = classifier;
      return this;
    }

    /**
     * A dead-letter publisher the caller owns. By default the runtime builds one from the producer
     * properties and a dead-letter store on the same database and table names.
     */
    public Builder deadLetterPublisher(DeadLetterPublisher publisher) {
      this.publisher = publisher;
      return this;
    }

    /**
     * Ordered dead-letter mode for the runtime's own publisher: later records of a dead-lettered
     * key are parked until an operator replays or discards it. Off by default.
     */
    public Builder orderedMode(boolean orderedMode) {
      this.orderedMode = orderedMode;
      return this;
    }

    /**
     * Non-blocking retries through delay tiers {@code <topic>.retry.1..n}, one per delay: a record
     * whose retried failure class is still failing after the in-place attempts of the retry policy
     * moves to the next tier and the partition goes on; a tier consumer (group {@code
     * <group>.retry}) handles it again once its delay has passed, with the same dedupe row and
     * transaction as the source topic; after the last tier it is dead-lettered. Classes the policy
     * does not retry go to the dead letters at once. <b>Tiers do not keep order</b>: later records
     * of the key overtake the one waiting. Not with ordered mode. Give the policy one attempt
     * ({@code maxAttempts(1)}) for no in-place retries at all. Off by default.
     *
     * @param delays 1 to 20 delays, each from 1 ms to 1 day
     */
    public Builder retryTiers(Duration... delays) {
      this.retryTierDelays = delays == null ? null : Arrays.asList(delays.clone());
      return this;
    }

    /** How retry delays are waited; {@link Sleeper#system()} by default. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    /** Where {@code keel.consumer.*} meters go; none by default. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    /**
     * Where handler observations go: one {@code process <topic>} observation around each handler
     * call (see {@link ConsumerProcessContext}), current while the handler runs. With a tracing
     * bridge the process span is a child of the trace context the record carries (the span that
     * appended the event to an outbox). {@link ObservationRegistry#NOOP} by default: handlers then
     * run without observation work.
     *
     * @param registry the registry; not null
     */
    public Builder observationRegistry(ObservationRegistry registry) {
      this.observationRegistry = registry;
      return this;
    }

    /**
     * A convention that renames the handler observation or changes its key values; {@link
     * DefaultConsumerProcessObservationConvention} (or one registered globally on the registry) by
     * default.
     *
     * @param convention the convention, or null for the default
     */
    public Builder observationConvention(ConsumerProcessObservationConvention convention) {
      this.observationConvention = convention;
      return this;
    }

    /** How long dedupe rows are kept, at least 1 minute; 14 days by default. */
    public Builder dedupeRetention(Duration retention) {
      this.dedupeRetention = retention;
      return this;
    }

    /** How often expired dedupe rows are removed, 1 s to 1 day; 1 minute by default. */
    public Builder cleanupInterval(Duration interval) {
      this.cleanupInterval = interval;
      return this;
    }

    /** Rows removed per delete statement, 1 to 100,000; 1,000 by default. */
    public Builder cleanupBatchSize(int batchSize) {
      this.cleanupBatchSize = batchSize;
      return this;
    }

    /**
     * The most expired dedupe rows one cleanup run removes per group, 1 to 1,000,000,000; 1,000,000
     * by default. A run deletes batch after batch while batches come back full, until this budget
     * or the {@link #cleanupInterval} is used up; a run that stops with rows left logs a warning
     * and counts {@code keel.consumer.dedupe.cleanup.incomplete{group}}, and the next run goes on.
     */
    public Builder cleanupMaxRowsPerRun(long maxRows) {
      this.cleanupMaxRowsPerRun = maxRows;
      return this;
    }

    /** The longest one poll waits for records, 1 ms to 10 s; 100 ms by default. */
    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
      return this;
    }

    /**
     * The least time between two offset commits of a running consumer, 0 to 1 hour; 0 (after every
     * poll with progress) by default. Revoke and close always commit.
     */
    public Builder commitInterval(Duration commitInterval) {
      this.commitInterval = commitInterval;
      return this;
    }

    /** How long close and revoke wait for records being handled, 1 s to 10 min; 30 s default. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** The clock of dedupe rows and retention; UTC system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Registers every {@link KeelListener} method of an object. Validated in {@link #build()}.
     *
     * @param listenerBean any object with annotated methods
     */
    public Builder register(Object listenerBean) {
      beans.add(Objects.requireNonNull(listenerBean, "ConsumerRuntime.register(null)"));
      return this;
    }

    /**
     * Who opens, commits and rolls back the handlers' transactions and supplies their connection;
     * {@link HandlerTransactions#JDBC} (Keel's own, on the data source) by default. A framework
     * sets its own here, such as Keel's Spring Boot starter to run handlers on the application's
     * transaction manager.
     */
    public Builder handlerTransactions(HandlerTransactions transactions) {
      this.transactions = transactions;
      return this;
    }

    /** Adds a listener defined without annotations. */
    public Builder listener(ListenerDefinition definition) {
      definitions.add(Objects.requireNonNull(definition, "ConsumerRuntime.listener(null)"));
      return this;
    }

    /**
     * Validates and builds; nothing connects to Kafka or the database before {@link #start()}.
     *
     * @throws KeelConfigurationException naming the first invalid property or listener method
     */
    public ConsumerRuntime build() {
      RuntimeConfig config = config();
      List<ListenerDefinition> all = new ArrayList<>(definitions);
      for (Object bean : beans) {
        all.addAll(AnnotatedListeners.of(bean, contracts));
      }
      if (all.isEmpty()) {
        throw invalid("listeners", "at least one listener is required (register or listener)");
      }
      return new DefaultConsumerRuntime(config, List.copyOf(all));
    }

    /** Validates and returns the configuration {@link #build()} gives the runtime. */
    RuntimeConfig config() {
      checkKafka();
      if ((dataSource == null) == (jdbcUrl == null)) {
        throw invalid("dataSource", "exactly one of dataSource and jdbcUrl is required");
      }
      require("tableNames", tableNames);
      require("schemaPolicy", schemaPolicy);
      require("contracts", contracts);
      require("retryPolicy", retryPolicy);
      require("failureClassifier", classifier);
      require("sleeper", sleeper);
      require("clock", clock);
      require("observationRegistry", observationRegistry);
      require("handlerTransactions", transactions);
      if (publisher != null && orderedMode != null) {
        throw invalid(
            "orderedMode", "applies to the runtime's own publisher; set it on the given publisher");
      }
      checkTiers();
      range("threads", threads, 1, 256);
      range("maxInFlight", maxInFlight, 1, 100_000);
      range("maxBatchSize", maxBatchSize, 1, 1000);
      range("cleanupBatchSize", cleanupBatchSize, 1, 100_000);
      if (cleanupMaxRowsPerRun < 1 || cleanupMaxRowsPerRun > 1_000_000_000L) {
        throw invalid(
            "cleanupMaxRowsPerRun",
            "must be between 1 and 1000000000, was " + cleanupMaxRowsPerRun);
      }
      duration("dedupeRetention", dedupeRetention, Duration.ofMinutes(1), Duration.ofDays(3650));
      duration("cleanupInterval", cleanupInterval, Duration.ofSeconds(1), Duration.ofDays(1));
      duration("pollTimeout", pollTimeout, Duration.ofMillis(1), Duration.ofSeconds(10));
      duration("commitInterval", commitInterval, Duration.ZERO, Duration.ofHours(1));
      duration("closeTimeout", closeTimeout, Duration.ofSeconds(1), Duration.ofMinutes(10));
      return new RuntimeConfig(
          Map.copyOf(consumerProperties),
          producerProperties == null ? null : Map.copyOf(producerProperties),
          dataSource,
          jdbcUrl,
          jdbcUser,
          jdbcPassword,
          dialect,
          tableNames,
          schemaPolicy,
          contracts,
          json != null ? json : JsonCodec.create(),
          threads,
          maxInFlight,
          maxBatchSize,
          retryPolicy,
          classifier,
          publisher,
          orderedMode != null ? orderedMode : ConfigKey.CONSUMER_ORDERED_MODE.boolDefault(),
          List.copyOf(retryTierDelays),
          sleeper,
          meterRegistry,
          dedupeRetention,
          cleanupInterval,
          cleanupBatchSize,
          cleanupMaxRowsPerRun,
          pollTimeout,
          commitInterval,
          closeTimeout,
          clock,
          observationRegistry,
          observationConvention,
          transactions);
    }

    private void checkTiers() {
      if (retryTierDelays == null || retryTierDelays.size() > 20) {
        throw invalid("retryTiers", "must hold at most 20 delays");
      }
      for (int i = 0; i < retryTierDelays.size(); i++) {
        duration(
            "retryTiers[" + i + "]",
            retryTierDelays.get(i),
            Duration.ofMillis(1),
            Duration.ofDays(1));
      }
      boolean ordered =
          orderedMode != null ? orderedMode : publisher != null && publisher.orderedMode();
      for (FailureClass c : FailureClass.values()) {
        if (retryPolicy != null && retryPolicy.action(c) == FailureAction.PARK && !ordered) {
          throw invalid(
              "retryPolicy",
              "sends "
                  + c.tag()
                  + " failures to PARK, which needs ordered mode (orderedMode(true) or an"
                  + " ordered dead-letter publisher): without it nothing holds the key back");
        }
      }
      if (!retryTierDelays.isEmpty() && ordered) {
        throw invalid(
            "retryTiers",
            "cannot be used with ordered mode: tiers let later records of a key overtake a"
                + " failed one, ordered mode holds them back");
      }
    }

    private void checkKafka() {
      if (consumerProperties == null || consumerProperties.get("bootstrap.servers") == null) {
        throw invalid("consumerProperties", "must contain bootstrap.servers");
      }
      if (consumerProperties.containsKey("group.id")) {
        throw invalid(
            "consumerProperties", "must not set group.id: each listener names its own group");
      }
      Object autoCommit = consumerProperties.get("enable.auto.commit");
      if (autoCommit != null
          && !autoCommit.toString().trim().toLowerCase(java.util.Locale.ROOT).equals("false")) {
        throw invalid(
            "consumerProperties",
            "enable.auto.commit must be false or absent (offsets are committed after the"
                + " database), was "
                + dev.keel.event.support.Values.quote(autoCommit.toString()));
      }
    }

    private static void require(String property, Object value) {
      if (value == null) {
        throw invalid(property, "is required");
      }
    }

    private static void range(String property, int value, int min, int max) {
      if (value < min || value > max) {
        throw invalid(property, "must be between " + min + " and " + max + ", was " + value);
      }
    }

    private static void duration(String property, Duration d, Duration min, Duration max) {
      if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw invalid(property, "must be between " + min + " and " + max + ", was " + d);
      }
    }

    private static KeelConfigurationException invalid(String property, String rule) {
      return new KeelConfigurationException("ConsumerRuntime." + property + " " + rule);
    }
  }
}
