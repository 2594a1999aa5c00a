package dev.keel.outbox;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.internal.DefaultOutboxRelay;
import dev.keel.outbox.internal.RelayConfig;
import dev.keel.outbox.observation.DefaultOutboxSendObservationConvention;
import dev.keel.outbox.observation.OutboxSendContext;
import dev.keel.outbox.observation.OutboxSendObservationConvention;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Publishes committed outbox rows to Kafka: at least once, in per-key order, across any number of
 * relay instances in any number of JVMs.
 *
 * <p>Rows are spread over lanes by key hash. Each lane has one live owner at a time, through a
 * lease row whose epoch (fencing token) every delete checks; instances share lanes evenly and take
 * over the lanes of an instance whose lease expired. A lane is read in id order behind a
 * commit-order fence, its batch sent without waiting per record, its acknowledgements awaited with
 * a deadline ({@link Builder#ackTimeout(Duration)}) and removed with one statement. Rows to a topic
 * that does not exist are held back without a send and without delaying other lanes. One pass of a
 * worker claims at most {@link Builder#maxBytesPerPass(long)} payload bytes.
 *
 * <pre>{@code
 * try (OutboxRelay relay = OutboxRelay.builder()
 *     .database(db)       // KeelDatabase: data source, tables, schema policy
 *     .kafka(kafka)       // KeelKafka: bootstrap servers, security settings
 *     .outbox(outbox)     // the outbox's lanes and tables
 *     .build()) {
 *   relay.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} finishes in-flight batches (up to the close timeout), releases
 * the leases, closes the producer and, when the relay created it, the connection pool.
 */
public interface OutboxRelay extends AutoCloseable {
  /** Default lane count. */
  int DEFAULT_LANES = ConfigKey.RELAY_LANES.intDefault();

  /** Default {@link Builder#maxBytesPerPass(long)}: 16 MiB. */
  long DEFAULT_MAX_BYTES_PER_PASS = ConfigKey.RELAY_MAX_BYTES_PER_PASS.longDefault();

  /** Starts a builder. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * A builder with the {@code relay} keys of a properties tree applied ({@code keel.relay.*}; see
   * {@link ConfigKey}). Add {@code .database(db)}, {@code .kafka(kafka)} and {@code
   * .outbox(outbox)}.
   *
   * @throws KeelConfigurationException naming a key that is wrong or unknown
   */
  static Builder fromProperties(KeelSettings settings) {
    return builder().settings(settings);
  }

  /** Creates the schema if asked, then starts the lease, worker and wake-up threads. Idempotent. */
  void start();

  /** This instance's id, as written in the lease table. */
  String instanceId();

  /** The lanes this instance owns right now. */
  Set<Integer> ownedLanes();

  /** Whether the relay is started and not closed. */
  boolean isRunning();

  /** Stops gracefully: finishes in-flight batches, releases leases, closes what it owns. */
  @Override
  void close();

  /** Builds an {@link OutboxRelay}. Not thread-safe; {@link #build()} copies the configuration. */
  final class Builder {
    private static final Set<String> FORCED = Set.of("key.serializer", "value.serializer");

    private DataSource dataSource;
    private String jdbcUrl;
    private String jdbcUser;
    private String jdbcPassword;
    private Map<String, Object> producerProperties = new HashMap<>();
    private int lanes = DEFAULT_LANES;
    private Outbox outbox;
    private boolean lanesSet;
    private int batchSize = ConfigKey.RELAY_BATCH_SIZE.intDefault();
    private long maxBytesPerPass = DEFAULT_MAX_BYTES_PER_PASS;
    // ConfigKey.RELAY_WORKERS has no single default: computed from the processors, as its doc says
    private int workers = Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));
    private Duration pollInterval = ConfigKey.RELAY_POLL_INTERVAL.durationDefault();
    private Duration leaseDuration = ConfigKey.RELAY_LEASE_DURATION.durationDefault();
    private Duration closeTimeout = ConfigKey.RELAY_CLOSE_TIMEOUT.durationDefault();
    private Duration ackTimeout = ConfigKey.RELAY_ACK_TIMEOUT.durationDefault();
    private Duration backoffInitial = ConfigKey.RELAY_BACKOFF_INITIAL.durationDefault();
    private Duration backoffMax = ConfigKey.RELAY_BACKOFF_MAX.durationDefault();
    private CleanupMode cleanupMode = CleanupMode.DELETE;
    private Duration publishedRetention = Duration.ofDays(7);
    private TableNames tableNames = TableNames.defaults();
    private SqlDialect dialect;
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry;
    private OutboxRelayListener listener = new OutboxRelayListener() {};
    private String instanceId;
    private boolean strictOrdering = ConfigKey.RELAY_STRICT_ORDERING.boolDefault();
    private int maxAttempts = ConfigKey.RELAY_MAX_ATTEMPTS.intDefault();
    private SchemaPolicy schemaPolicy =
        ConfigKey.DATABASE_SCHEMA_POLICY.enumDefault(SchemaPolicy.class);
    private boolean listenNotify = ConfigKey.RELAY_LISTEN_NOTIFY.boolDefault();
    private boolean cursorClaims = ConfigKey.RELAY_CURSOR_CLAIMS.boolDefault();
    private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;
    private OutboxSendObservationConvention observationConvention;

    private Builder() {}

    /** The database with the outbox; the caller keeps ownership. Either this or a JDBC URL. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /**
     * The shared database: data source (the caller keeps ownership), dialect, table names and
     * schema policy. Either this or a JDBC URL.
     */
    public Builder database(KeelDatabase database) {
      this.dataSource = database.dataSource();
      this.dialect = database.dialect().orElse(null);
      this.tableNames = database.tableNames();
      this.schemaPolicy = database.schemaPolicy();
      return this;
    }

    /**
     * The outbox whose rows to publish: the relay takes its lanes and table names, so the two
     * cannot disagree. Setting {@link #lanes(int)} to another count as well is refused at build.
     */
    public Builder outbox(Outbox outbox) {
      this.outbox = outbox;
      return this;
    }

    /**
     * The shared Kafka cluster: bootstrap servers and client properties (SASL and SSL included;
     * never logged). {@code acks} must be {@code all} and {@code enable.idempotence} true if given;
     * serializers are the relay's own.
     */
    public Builder kafka(KeelKafka kafka) {
      this.producerProperties = kafka.clientProperties("relay");
      return this;
    }

    /** What {@link OutboxRelay#start()} does about the tables; {@code INSTALL} by default. */
    public Builder schemaPolicy(SchemaPolicy schemaPolicy) {
      this.schemaPolicy = schemaPolicy;
      return this;
    }

    /**
     * Applies the {@code relay} keys that are set; keys left out keep this builder's values.
     *
     * @throws KeelConfigurationException naming a key that is wrong or unknown
     */
    public Builder settings(KeelSettings s) {
      s.requireKnown("relay");
      s.intIfSet(ConfigKey.RELAY_LANES).ifPresent(this::lanes);
      s.intIfSet(ConfigKey.RELAY_BATCH_SIZE).ifPresent(this::batchSize);
      if (s.has(ConfigKey.RELAY_MAX_BYTES_PER_PASS)) {
        maxBytesPerPass(s.longValue(ConfigKey.RELAY_MAX_BYTES_PER_PASS));
      }
      s.intIfSet(ConfigKey.RELAY_WORKERS).ifPresent(this::workers);
      s.durationIfSet(ConfigKey.RELAY_POLL_INTERVAL).ifPresent(this::pollInterval);
      s.durationIfSet(ConfigKey.RELAY_LEASE_DURATION).ifPresent(this::leaseDuration);
      s.durationIfSet(ConfigKey.RELAY_CLOSE_TIMEOUT).ifPresent(this::closeTimeout);
      s.durationIfSet(ConfigKey.RELAY_ACK_TIMEOUT).ifPresent(this::ackTimeout);
      s.durationIfSet(ConfigKey.RELAY_BACKOFF_INITIAL).ifPresent(d -> backoffInitial = d);
      s.durationIfSet(ConfigKey.RELAY_BACKOFF_MAX).ifPresent(d -> backoffMax = d);
      s.durationIfSet(ConfigKey.RELAY_PUBLISHED_RETENTION).ifPresent(this::markPublished);
      s.raw(ConfigKey.RELAY_INSTANCE_ID).ifPresent(this::instanceId);
      if (s.has(ConfigKey.RELAY_STRICT_ORDERING)) {
        strictOrdering(s.bool(ConfigKey.RELAY_STRICT_ORDERING));
      }
      s.intIfSet(ConfigKey.RELAY_MAX_ATTEMPTS).ifPresent(this::maxAttempts);
      if (s.has(ConfigKey.RELAY_LISTEN_NOTIFY)) {
        listenNotify(s.bool(ConfigKey.RELAY_LISTEN_NOTIFY));
      }
      if (s.has(ConfigKey.RELAY_CURSOR_CLAIMS)) {
        cursorClaims(s.bool(ConfigKey.RELAY_CURSOR_CLAIMS));
      }
      return this;
    }

    /**
     * A JDBC URL: the relay creates (and closes) a HikariCP pool of its own. HikariCP ({@code
     * com.zaxxer:HikariCP}) and the database's driver are then the application's dependencies;
     * {@link OutboxRelay#start()} fails with a configuration error naming this method when HikariCP
     * is missing.
     */
    public Builder jdbcUrl(String url, String user, String password) {
      this.jdbcUrl = url;
      this.jdbcUser = user;
      this.jdbcPassword = password;
      return this;
    }

    /**
     * Kafka producer properties, passed through untouched (SASL and SSL included; never logged).
     * {@code bootstrap.servers} is required; {@code acks} must be {@code all} and {@code
     * enable.idempotence} true if given; serializers are the relay's own.
     *
     * @deprecated use {@link #kafka(KeelKafka)}, shared with the other components
     */
    @Deprecated
    public Builder producerProperties(Map<String, ?> properties) {
      this.producerProperties = new HashMap<>(properties);
      return this;
    }

    /**
     * Lanes, 1 to 4096, 16 by default; must equal the {@link Outbox}'s. Prefer {@link
     * #outbox(Outbox)}, which takes them from the outbox.
     */
    public Builder lanes(int lanes) {
      this.lanes = lanes;
      this.lanesSet = true;
      return this;
    }

    /**
     * Rows claimed and sent per lane and pass, 1 to 10,000; 500 by default. On PostgreSQL a worker
     * that serves at least half of the lanes reads them in one scan in id order of this many rows
     * per lane, which a busy lane may take any share of.
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Payload bytes one worker claims in one pass over its lanes, 64 KiB to 1 GiB; 16 MiB by
     * default. This bounds the relay's memory for rows: about {@code workers × maxBytesPerPass}
     * (plus each producer's {@code buffer.memory}), whatever the lane count and batch size. A pass
     * takes each lane's rows in id order while they fit in the budget, lanes in turn from a lane
     * that moves every pass, so that every lane gets its turn; a single row larger than the budget
     * is claimed alone, in a pass of its own. Payload bytes are counted (keys and headers are not).
     */
    public Builder maxBytesPerPass(long maxBytesPerPass) {
      this.maxBytesPerPass = maxBytesPerPass;
      return this;
    }

    /**
     * How long a lane's batch may wait for Kafka's acknowledgements; 30 s by default. Each lane's
     * sends are waited for with this deadline (a lane whose partitions do not answer delays the
     * other lanes of its worker by at most this much, once). A lane still unacknowledged at the
     * deadline is given up: its sends are aborted (its rows stay in the outbox), its lease is
     * released, and this instance neither takes it back nor renews its membership for two lease
     * durations, so that another instance takes it over.
     */
    public Builder ackTimeout(Duration ackTimeout) {
      this.ackTimeout = ackTimeout;
      return this;
    }

    /** Publishing threads (each with its own producer), 1 to 64; 2 to 4 by default. */
    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    /**
     * How often idle lanes are polled when no wake-up arrives; 500 ms by default. After a claim
     * that found nothing and took longer than a ninth of this, a worker waits nine times as long as
     * that claim took, at most ten intervals (a claim steps over rows that open transactions
     * appended).
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
      return this;
    }

    /** How long a lane lease lasts without renewal (renewed every third); 10 s by default. */
    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
      return this;
    }

    /** How long {@link OutboxRelay#close()} waits for in-flight batches; 30 s by default. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Exponential backoff with jitter after database or broker failures: first and largest delay.
     */
    public Builder backoff(Duration initial, Duration max) {
      this.backoffInitial = initial;
      this.backoffMax = max;
      return this;
    }

    /** Delete published rows (the default). */
    public Builder deletePublished() {
      this.cleanupMode = CleanupMode.DELETE;
      return this;
    }

    /** Keep published rows in the published table for a retention, then purge them. */
    public Builder markPublished(Duration retention) {
      this.cleanupMode = CleanupMode.MARK_PUBLISHED;
      this.publishedRetention = retention;
      return this;
    }

    /**
     * Schema and prefix; {@link TableNames#defaults()} by default.
     *
     * @deprecated use {@link #database(KeelDatabase)} or {@link #outbox(Outbox)}
     */
    @Deprecated
    public Builder tableNames(TableNames tableNames) {
      this.tableNames = tableNames;
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

    /** The clock for latency measurements; the UTC system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Where to register metrics ({@code keel.outbox.*}, {@code keel.relay.*}); none by default. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    /**
     * Where publish observations go: one {@code send <topic>} observation per record the relay
     * hands to Kafka (see {@link OutboxSendContext}), stopped when Kafka acknowledged or refused
     * it. With a tracing bridge the send span continues the trace context stored with the row (a
     * child of the append span). {@link ObservationRegistry#NOOP} by default: the relay then sends
     * through the plain producer, with no observation work per record.
     *
     * @param registry the registry; not null
     */
    public Builder observationRegistry(ObservationRegistry registry) {
      this.observationRegistry = registry;
      return this;
    }

    /**
     * A convention that renames the publish observation or changes its key values; {@link
     * DefaultOutboxSendObservationConvention} (or one registered globally on the registry) by
     * default.
     *
     * @param convention the convention, or null for the default
     */
    public Builder observationConvention(OutboxSendObservationConvention convention) {
      this.observationConvention = convention;
      return this;
    }

    /** Callbacks; none by default. */
    public Builder listener(OutboxRelayListener listener) {
      this.listener = listener;
      return this;
    }

    /** The id in the lease table; host name plus a random suffix by default. */
    public Builder instanceId(String instanceId) {
      this.instanceId = instanceId;
      return this;
    }

    /**
     * When true, a lane stops at a row it can never publish (the row is quarantined and the lane
     * waits for {@link OutboxAdmin#resumeLane(int, String)}); when false (the default) the row is
     * quarantined and the lane keeps flowing. A strict lane sends a row only once every earlier row
     * of its key was acknowledged (one row per key per pass), so that no record reaches Kafka
     * before an earlier row of its key, even when the broker refuses that row after it was sent.
     */
    public Builder strictOrdering(boolean strict) {
      this.strictOrdering = strict;
      return this;
    }

    /** Attempts for a row that fails alone while others publish, before it is quarantined; 10. */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Whether {@link OutboxRelay#start()} creates or upgrades the tables; true by default.
     *
     * @deprecated use {@link #schemaPolicy(SchemaPolicy)}: {@code true} is {@code INSTALL}, {@code
     *     false} is {@code NONE}
     */
    @Deprecated
    public Builder createSchema(boolean createSchema) {
      return schemaPolicy(createSchema ? SchemaPolicy.INSTALL : SchemaPolicy.NONE);
    }

    /**
     * Whether to wake up on PostgreSQL {@code LISTEN/NOTIFY}; true by default (polling remains).
     * Needs the PostgreSQL driver ({@code org.postgresql:postgresql}); with another driver the
     * relay only polls.
     */
    public Builder listenNotify(boolean listenNotify) {
      this.listenNotify = listenNotify;
      return this;
    }

    /**
     * PostgreSQL only; false by default. Claim behind per-lane cursors: a lane's next rows are read
     * after its cursor and up to a commit-order fence, in one scan in id order across the worker's
     * lanes, without row locks (the next pass's rows read while Kafka acknowledges the current one,
     * within the same {@link #maxBytesPerPass} budget); once Kafka acknowledged them the lane's
     * cursor moves (one fenced update of the lease table per pass) and the rows stay in the outbox
     * until a background cleanup deletes them (or moves them to the published table) about once a
     * second. A row that can never be published is copied to the quarantine and the cursor moves
     * past it. A takeover goes on from the persisted cursor. Needs the schema's {@code
     * V4__lane_cursor.sql}, an outbox sequence with a cache of 1 (the {@code bigserial} default)
     * and {@code SELECT} or {@code USAGE} on it for the relay's user, all checked at start. What it
     * changes for operators is in docs/design.md ("Cursor claims").
     */
    public Builder cursorClaims(boolean cursorClaims) {
      this.cursorClaims = cursorClaims;
      return this;
    }

    /**
     * Validates and builds a stopped relay.
     *
     * @throws KeelConfigurationException naming the property that is wrong
     */
    public OutboxRelay build() {
      return new DefaultOutboxRelay(config());
    }

    /** Validates and returns the configuration {@link #build()} gives the relay. */
    RelayConfig config() {
      if ((dataSource == null) == (jdbcUrl == null)) {
        throw new KeelConfigurationException(
            "OutboxRelay needs exactly one of dataSource or jdbcUrl");
      }
      if (outbox != null) {
        if (lanesSet && lanes != outbox.lanes()) {
          throw new KeelConfigurationException(
              "OutboxRelay.lanes ("
                  + lanes
                  + ") must equal the outbox's lanes ("
                  + outbox.lanes()
                  + "); leave lanes unset to take the outbox's");
        }
        lanes = outbox.lanes();
        tableNames = outbox.tableNames();
      }
      checkLanes("OutboxRelay.lanes", lanes);
      if (schemaPolicy == null) {
        throw new KeelConfigurationException("OutboxRelay.schemaPolicy must not be null");
      }
      checkRange("OutboxRelay.batchSize", batchSize, 1, 10_000);
      checkRange("OutboxRelay.workers", workers, 1, 64);
      if (maxBytesPerPass < 64 * 1024 || maxBytesPerPass > 1L << 30) {
        throw new KeelConfigurationException(
            "OutboxRelay.maxBytesPerPass must be between 65536 and 1073741824, was "
                + maxBytesPerPass);
      }
      checkPositive("OutboxRelay.ackTimeout", ackTimeout);
      checkRange("OutboxRelay.maxAttempts", maxAttempts, 1, 1_000_000);
      checkPositive("OutboxRelay.pollInterval", pollInterval);
      checkPositive("OutboxRelay.leaseDuration", leaseDuration);
      if (leaseDuration.compareTo(Duration.ofMillis(300)) < 0) {
        throw new KeelConfigurationException(
            "OutboxRelay.leaseDuration must be at least PT0.3S, was " + leaseDuration);
      }
      checkPositive("OutboxRelay.closeTimeout", closeTimeout);
      checkPositive("OutboxRelay.backoff initial", backoffInitial);
      checkPositive("OutboxRelay.backoff max", backoffMax);
      if (backoffMax.compareTo(backoffInitial) < 0) {
        throw new KeelConfigurationException(
            "OutboxRelay.backoff max must not be below initial, was " + backoffMax);
      }
      checkPositive("OutboxRelay.publishedRetention", publishedRetention);
      Objects.requireNonNull(tableNames, "OutboxRelay.tableNames");
      Objects.requireNonNull(clock, "OutboxRelay.clock");
      Objects.requireNonNull(listener, "OutboxRelay.listener");
      if (observationRegistry == null) {
        throw new KeelConfigurationException(
            "OutboxRelay.observationRegistry must not be null (ObservationRegistry.NOOP for none)");
      }
      if (producerProperties.get("bootstrap.servers") == null) {
        throw new KeelConfigurationException(
            "OutboxRelay.producerProperties must contain bootstrap.servers");
      }
      Object acks = producerProperties.get("acks");
      if (acks != null && !acks.toString().equals("all") && !acks.toString().equals("-1")) {
        throw new KeelConfigurationException(
            "OutboxRelay.producerProperties acks must be all, was " + acks);
      }
      Object idem = producerProperties.get("enable.idempotence");
      if (idem != null && !Boolean.parseBoolean(idem.toString())) {
        throw new KeelConfigurationException(
            "OutboxRelay.producerProperties enable.idempotence must be true");
      }
      if (producerProperties.containsKey("transactional.id")) {
        throw new KeelConfigurationException(
            "OutboxRelay.producerProperties must not set transactional.id");
      }
      for (String k : FORCED) {
        producerProperties.remove(k);
      }
      return new RelayConfig(
          dataSource,
          jdbcUrl,
          jdbcUser,
          jdbcPassword,
          Map.copyOf(producerProperties),
          lanes,
          batchSize,
          maxBytesPerPass,
          workers,
          pollInterval,
          leaseDuration,
          closeTimeout,
          ackTimeout,
          backoffInitial,
          backoffMax,
          cleanupMode,
          publishedRetention,
          tableNames,
          dialect,
          clock,
          meterRegistry,
          listener,
          instanceId,
          strictOrdering,
          maxAttempts,
          schemaPolicy,
          listenNotify,
          cursorClaims,
          observationRegistry,
          observationConvention);
    }

    /** Validates a lane count. */
    static void checkLanes(String property, int lanes) {
      checkRange(property, lanes, 1, 4096);
    }

    private static void checkRange(String property, int value, int min, int max) {
      if (value < min || value > max) {
        throw new KeelConfigurationException(
            property + " must be between " + min + " and " + max + ", was " + value);
      }
    }

    private static void checkPositive(String property, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new KeelConfigurationException(property + " must be a positive duration, was " + d);
      }
    }
  }
}
