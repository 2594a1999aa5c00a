package dev.keel.spring.boot.autoconfigure;

import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.sql.SqlDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Keel's {@code keel.*} properties, bound by Spring Boot. Every {@link ConfigKey} has exactly one
 * property here, at the same name ({@code keel.relay.lanes} is {@link Relay#getLanes()}); a
 * property left unset stays {@code null} and the component takes the key's default from {@link
 * ConfigKey}, so a default is never written twice. {@link #toSettings()} turns the bound values
 * into the {@link KeelSettings} every Keel builder reads, with Keel's own validation and error
 * messages.
 *
 * <p>Besides the {@link ConfigKey}s, the starter's own switches: {@code keel.outbox.enabled},
 * {@code keel.relay.enabled}, {@code keel.listeners.enabled}, {@code keel.dlq.enabled}, {@code
 * keel.saga.enabled} (and {@code .orchestrator.enabled}, {@code .participants.enabled}), {@code
 * keel.flyway.enabled}, {@code keel.liquibase.enabled} (each {@code true} by default), {@code
 * keel.saga.admin.enabled} ({@code false}) and the per-listener settings {@code
 * keel.listeners.<listener-id>.*}.
 */
@ConfigurationProperties(prefix = KeelSettings.DEFAULT_PREFIX)
public class KeelProperties {

  private final Database database = new Database();
  private final Kafka kafka = new Kafka();
  private final Outbox outbox = new Outbox();
  private final Relay relay = new Relay();
  private final Consumer consumer = new Consumer();
  private final Listeners listeners = new Listeners();
  private final Dlq dlq = new Dlq();
  private final Saga saga = new Saga();
  private final Flyway flyway = new Flyway();
  private final Liquibase liquibase = new Liquibase();

  /** {@code keel.database.*}: where Keel's tables live and what happens to them at start. */
  public Database getDatabase() {
    return database;
  }

  /** {@code keel.kafka.*}: overrides of what is taken from {@code spring.kafka.*}. */
  public Kafka getKafka() {
    return kafka;
  }

  /** {@code keel.outbox.*}. */
  public Outbox getOutbox() {
    return outbox;
  }

  /** {@code keel.relay.*}. */
  public Relay getRelay() {
    return relay;
  }

  /** {@code keel.consumer.*}: the consumer runtime that runs the listeners. */
  public Consumer getConsumer() {
    return consumer;
  }

  /** {@code keel.listeners.*}: the {@code @KeelListener} methods of the application's beans. */
  public Listeners getListeners() {
    return listeners;
  }

  /** {@code keel.dlq.*}. */
  public Dlq getDlq() {
    return dlq;
  }

  /** {@code keel.saga.*}. */
  public Saga getSaga() {
    return saga;
  }

  /** {@code keel.flyway.*}: Keel's migrations through the application's Flyway. */
  public Flyway getFlyway() {
    return flyway;
  }

  /** {@code keel.liquibase.*}: Keel's migrations through the application's Liquibase. */
  public Liquibase getLiquibase() {
    return liquibase;
  }

  /**
   * The bound {@link ConfigKey} values as Keel settings under the prefix {@code keel}: only the
   * properties that are set, so that unset keys take their {@link ConfigKey} defaults.
   */
  public KeelSettings toSettings() {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, ConfigKey.DATABASE_SCHEMA, database.schema);
    put(m, ConfigKey.DATABASE_TABLE_PREFIX, database.tablePrefix);
    put(m, ConfigKey.DATABASE_SCHEMA_POLICY, database.schemaPolicy);
    put(m, ConfigKey.DATABASE_DIALECT, database.dialect);

    put(m, ConfigKey.KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers);
    put(m, ConfigKey.KAFKA_CLIENT_ID_PREFIX, kafka.clientIdPrefix);
    kafka.properties.forEach(
        (k, v) -> m.put(KeelSettings.DEFAULT_PREFIX + ".kafka.properties." + k, v));

    put(m, ConfigKey.OUTBOX_LANES, outbox.lanes);
    put(m, ConfigKey.OUTBOX_MAX_PAYLOAD_BYTES, outbox.maxPayloadBytes);
    put(m, ConfigKey.OUTBOX_REQUIRE_KEY, outbox.requireKey);

    put(m, ConfigKey.RELAY_LANES, relay.lanes);
    put(m, ConfigKey.RELAY_BATCH_SIZE, relay.batchSize);
    put(m, ConfigKey.RELAY_MAX_BYTES_PER_PASS, relay.maxBytesPerPass);
    put(m, ConfigKey.RELAY_WORKERS, relay.workers);
    put(m, ConfigKey.RELAY_POLL_INTERVAL, relay.pollInterval);
    put(m, ConfigKey.RELAY_LEASE_DURATION, relay.leaseDuration);
    put(m, ConfigKey.RELAY_CLOSE_TIMEOUT, relay.closeTimeout);
    put(m, ConfigKey.RELAY_ACK_TIMEOUT, relay.ackTimeout);
    put(m, ConfigKey.RELAY_BACKOFF_INITIAL, relay.backoffInitial);
    put(m, ConfigKey.RELAY_BACKOFF_MAX, relay.backoffMax);
    put(m, ConfigKey.RELAY_PUBLISHED_RETENTION, relay.publishedRetention);
    put(m, ConfigKey.RELAY_INSTANCE_ID, relay.instanceId);
    put(m, ConfigKey.RELAY_STRICT_ORDERING, relay.strictOrdering);
    put(m, ConfigKey.RELAY_MAX_ATTEMPTS, relay.maxAttempts);
    put(m, ConfigKey.RELAY_LISTEN_NOTIFY, relay.listenNotify);
    put(m, ConfigKey.RELAY_CURSOR_CLAIMS, relay.cursorClaims);

    put(m, ConfigKey.CONSUMER_THREADS, consumer.threads);
    put(m, ConfigKey.CONSUMER_MAX_IN_FLIGHT, consumer.maxInFlight);
    put(m, ConfigKey.CONSUMER_MAX_BATCH_SIZE, consumer.maxBatchSize);
    put(m, ConfigKey.CONSUMER_ORDERED_MODE, consumer.orderedMode);
    put(m, ConfigKey.CONSUMER_RETRY_TIERS, consumer.retryTiers);
    put(m, ConfigKey.CONSUMER_DEDUPE_RETENTION, consumer.dedupeRetention);
    put(m, ConfigKey.CONSUMER_CLEANUP_INTERVAL, consumer.cleanupInterval);
    put(m, ConfigKey.CONSUMER_CLEANUP_BATCH_SIZE, consumer.cleanupBatchSize);
    put(m, ConfigKey.CONSUMER_CLEANUP_MAX_ROWS_PER_RUN, consumer.cleanupMaxRowsPerRun);
    put(m, ConfigKey.CONSUMER_POLL_TIMEOUT, consumer.pollTimeout);
    put(m, ConfigKey.CONSUMER_COMMIT_INTERVAL, consumer.commitInterval);
    put(m, ConfigKey.CONSUMER_CLOSE_TIMEOUT, consumer.closeTimeout);

    put(m, ConfigKey.DLQ_ALLOWED_TARGETS, dlq.allowedTargets);
    put(m, ConfigKey.DLQ_REPLAY_RATE, dlq.replayRate);
    put(m, ConfigKey.DLQ_TIMEOUT, dlq.timeout);

    put(m, ConfigKey.SAGA_GROUP, saga.group);
    put(m, ConfigKey.SAGA_SCAN_INTERVAL, saga.scanInterval);
    put(m, ConfigKey.SAGA_SCAN_BATCH_SIZE, saga.scanBatchSize);
    put(m, ConfigKey.SAGA_STUCK_THRESHOLD, saga.stuckThreshold);
    return KeelSettings.of(m, KeelSettings.DEFAULT_PREFIX);
  }

  private static void put(Map<String, String> m, ConfigKey key, Object value) {
    if (value == null) {
      return;
    }
    String text;
    if (value instanceof List<?> list) {
      text = list.stream().map(String::valueOf).collect(Collectors.joining(","));
    } else if (value instanceof Enum<?> e) {
      text = e.name();
    } else {
      text = value.toString(); // Duration: ISO-8601, which Keel reads
    }
    m.put(key.key(KeelSettings.DEFAULT_PREFIX), text);
  }

  /** {@code keel.database.*}; see the {@code DATABASE_*} {@link ConfigKey}s. */
  public static class Database {
    /** Schema of Keel's tables; unset: the connection's current schema. */
    private String schema;

    /** Table-name prefix ({@code keel_outbox}...); unset: {@code keel_}. */
    private String tablePrefix;

    /**
     * What components do about their tables at start: INSTALL (create/upgrade), VALIDATE (check
     * only) or NONE; unset: INSTALL, or NONE when Keel's migrations run through Flyway.
     */
    private SchemaPolicy schemaPolicy;

    /** The SQL dialect; unset: detected from the data source. */
    private SqlDialect dialect;

    /** Schema of Keel's tables; unset: the connection's current schema. */
    public String getSchema() {
      return schema;
    }

    /** Sets {@code keel.database.schema}. */
    public void setSchema(String schema) {
      this.schema = schema;
    }

    /** Table-name prefix ({@code keel_outbox}...); unset: {@code keel_}. */
    public String getTablePrefix() {
      return tablePrefix;
    }

    /** Sets {@code keel.database.table-prefix}. */
    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }

    /**
     * What components do about their tables at start: INSTALL (create/upgrade), VALIDATE (check
     * only) or NONE; unset: INSTALL, or NONE when Keel's migrations run through Flyway.
     */
    public SchemaPolicy getSchemaPolicy() {
      return schemaPolicy;
    }

    /** Sets {@code keel.database.schema-policy}. */
    public void setSchemaPolicy(SchemaPolicy schemaPolicy) {
      this.schemaPolicy = schemaPolicy;
    }

    /** The SQL dialect; unset: detected from the data source. */
    public SqlDialect getDialect() {
      return dialect;
    }

    /** Sets {@code keel.database.dialect}. */
    public void setDialect(SqlDialect dialect) {
      this.dialect = dialect;
    }
  }

  /**
   * {@code keel.kafka.*}; see the {@code KAFKA_*} {@link ConfigKey}s. Keel takes the cluster from
   * {@code spring.kafka.*} when Spring Boot's Kafka support is present; these keys override it.
   */
  public static class Kafka {
    /** Kafka bootstrap servers; unset: {@code spring.kafka.bootstrap-servers}. */
    private String bootstrapServers;

    /**
     * Prefix of Keel's clients' {@code client.id} ({@code <prefix>-relay}...); unset: {@code
     * spring.kafka.client-id}, else each component's own.
     */
    private String clientIdPrefix;

    /**
     * Kafka client properties passed through to Keel's clients, over those taken from {@code
     * spring.kafka.*} ({@code security.protocol}, {@code sasl.jaas.config}...).
     */
    private final Map<String, String> properties = new LinkedHashMap<>();

    /** Kafka bootstrap servers; unset: {@code spring.kafka.bootstrap-servers}. */
    public String getBootstrapServers() {
      return bootstrapServers;
    }

    /** Sets {@code keel.kafka.bootstrap-servers}. */
    public void setBootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
    }

    /**
     * Prefix of Keel's clients' {@code client.id} ({@code <prefix>-relay}...); unset: {@code
     * spring.kafka.client-id}, else each component's own.
     */
    public String getClientIdPrefix() {
      return clientIdPrefix;
    }

    /** Sets {@code keel.kafka.client-id-prefix}. */
    public void setClientIdPrefix(String clientIdPrefix) {
      this.clientIdPrefix = clientIdPrefix;
    }

    /**
     * Kafka client properties passed through to Keel's clients, over those taken from {@code
     * spring.kafka.*} ({@code security.protocol}, {@code sasl.jaas.config}...).
     */
    public Map<String, String> getProperties() {
      return properties;
    }
  }

  /** {@code keel.outbox.*}; see the {@code OUTBOX_*} {@link ConfigKey}s. */
  public static class Outbox {
    /** Whether the outbox beans are configured. */
    private boolean enabled = true;

    /** Outbox lanes; the relay takes the same. Unset: 16. */
    private Integer lanes;

    /** Largest payload accepted at append, in bytes; unset: 1 MiB. */
    private Integer maxPayloadBytes;

    /** Topics whose events must carry a key; {@code *}: all. */
    private List<String> requireKey;

    /** Whether the outbox beans are configured. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets {@code keel.outbox.enabled}. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Outbox lanes; the relay takes the same. Unset: 16. */
    public Integer getLanes() {
      return lanes;
    }

    /** Sets {@code keel.outbox.lanes}. */
    public void setLanes(Integer lanes) {
      this.lanes = lanes;
    }

    /** Largest payload accepted at append, in bytes; unset: 1 MiB. */
    public Integer getMaxPayloadBytes() {
      return maxPayloadBytes;
    }

    /** Sets {@code keel.outbox.max-payload-bytes}. */
    public void setMaxPayloadBytes(Integer maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
    }

    /** Topics whose events must carry a key; {@code *}: all. */
    public List<String> getRequireKey() {
      return requireKey;
    }

    /** Sets {@code keel.outbox.require-key}. */
    public void setRequireKey(List<String> requireKey) {
      this.requireKey = requireKey;
    }
  }

  /** {@code keel.relay.*}; see the {@code RELAY_*} {@link ConfigKey}s for defaults and bounds. */
  public static class Relay {
    /** Whether the relay runs in this application. */
    private boolean enabled = true;

    /** Lanes when not taken from the outbox; must equal it. */
    private Integer lanes;

    /**
     * Rows claimed per lane and pass; PostgreSQL's scan in id order reads this many per lane of the
     * worker, shared by its lanes.
     */
    private Integer batchSize;

    /** Payload bytes one worker claims per pass. */
    private Long maxBytesPerPass;

    /** Publishing threads; unset: computed, 2 to 4 by available processors. */
    private Integer workers;

    /** How often idle lanes are polled; after a slow empty claim, up to ten times as long. */
    private Duration pollInterval;

    /** Lane lease duration (at least 300ms). */
    private Duration leaseDuration;

    /** How long close waits for in-flight batches. */
    private Duration closeTimeout;

    /** Deadline for a lane batch's acknowledgements. */
    private Duration ackTimeout;

    /** First backoff after a failure. */
    private Duration backoffInitial;

    /** Largest backoff after failures. */
    private Duration backoffMax;

    /** Keep published rows this long (mark-published); unset: delete them. */
    private Duration publishedRetention;

    /** Id in the lease table; unset: host name plus a random suffix. */
    private String instanceId;

    /** Stop a lane at a row it cannot publish. */
    private Boolean strictOrdering;

    /** Attempts for a row failing alone before quarantine. */
    private Integer maxAttempts;

    /** Wake up on PostgreSQL LISTEN/NOTIFY. */
    private Boolean listenNotify;

    /** PostgreSQL: claim behind per-lane cursors, delete published rows in the background. */
    private Boolean cursorClaims;

    /** Whether the relay runs in this application. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets {@code keel.relay.enabled}. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Lanes when not taken from the outbox; must equal it. */
    public Integer getLanes() {
      return lanes;
    }

    /** Sets {@code keel.relay.lanes}. */
    public void setLanes(Integer lanes) {
      this.lanes = lanes;
    }

    /**
     * Rows claimed per lane and pass; PostgreSQL's scan in id order reads this many per lane of the
     * worker, shared by its lanes.
     */
    public Integer getBatchSize() {
      return batchSize;
    }

    /** Sets {@code keel.relay.batch-size}. */
    public void setBatchSize(Integer batchSize) {
      this.batchSize = batchSize;
    }

    /** Payload bytes one worker claims per pass. */
    public Long getMaxBytesPerPass() {
      return maxBytesPerPass;
    }

    /** Sets {@code keel.relay.max-bytes-per-pass}. */
    public void setMaxBytesPerPass(Long maxBytesPerPass) {
      this.maxBytesPerPass = maxBytesPerPass;
    }

    /** Publishing threads; unset: computed, 2 to 4 by available processors. */
    public Integer getWorkers() {
      return workers;
    }

    /** Sets {@code keel.relay.workers}. */
    public void setWorkers(Integer workers) {
      this.workers = workers;
    }

    /** How often idle lanes are polled; after a slow empty claim, up to ten times as long. */
    public Duration getPollInterval() {
      return pollInterval;
    }

    /** Sets {@code keel.relay.poll-interval}. */
    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    /** Lane lease duration (at least 300ms). */
    public Duration getLeaseDuration() {
      return leaseDuration;
    }

    /** Sets {@code keel.relay.lease-duration}. */
    public void setLeaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
    }

    /** How long close waits for in-flight batches. */
    public Duration getCloseTimeout() {
      return closeTimeout;
    }

    /** Sets {@code keel.relay.close-timeout}. */
    public void setCloseTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
    }

    /** Deadline for a lane batch's acknowledgements. */
    public Duration getAckTimeout() {
      return ackTimeout;
    }

    /** Sets {@code keel.relay.ack-timeout}. */
    public void setAckTimeout(Duration ackTimeout) {
      this.ackTimeout = ackTimeout;
    }

    /** First backoff after a failure. */
    public Duration getBackoffInitial() {
      return backoffInitial;
    }

    /** Sets {@code keel.relay.backoff-initial}. */
    public void setBackoffInitial(Duration backoffInitial) {
      this.backoffInitial = backoffInitial;
    }

    /** Largest backoff after failures. */
    public Duration getBackoffMax() {
      return backoffMax;
    }

    /** Sets {@code keel.relay.backoff-max}. */
    public void setBackoffMax(Duration backoffMax) {
      this.backoffMax = backoffMax;
    }

    /** Keep published rows this long (mark-published); unset: delete them. */
    public Duration getPublishedRetention() {
      return publishedRetention;
    }

    /** Sets {@code keel.relay.published-retention}. */
    public void setPublishedRetention(Duration publishedRetention) {
      this.publishedRetention = publishedRetention;
    }

    /** Id in the lease table; unset: host name plus a random suffix. */
    public String getInstanceId() {
      return instanceId;
    }

    /** Sets {@code keel.relay.instance-id}. */
    public void setInstanceId(String instanceId) {
      this.instanceId = instanceId;
    }

    /** Stop a lane at a row it cannot publish. */
    public Boolean getStrictOrdering() {
      return strictOrdering;
    }

    /** Sets {@code keel.relay.strict-ordering}. */
    public void setStrictOrdering(Boolean strictOrdering) {
      this.strictOrdering = strictOrdering;
    }

    /** Attempts for a row failing alone before quarantine. */
    public Integer getMaxAttempts() {
      return maxAttempts;
    }

    /** Sets {@code keel.relay.max-attempts}. */
    public void setMaxAttempts(Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    /** Wake up on PostgreSQL LISTEN/NOTIFY. */
    public Boolean getListenNotify() {
      return listenNotify;
    }

    /** Sets {@code keel.relay.listen-notify}. */
    public void setListenNotify(Boolean listenNotify) {
      this.listenNotify = listenNotify;
    }

    /** PostgreSQL: claim behind per-lane cursors, delete published rows in the background. */
    public Boolean getCursorClaims() {
      return cursorClaims;
    }

    /** Sets {@code keel.relay.cursor-claims}. */
    public void setCursorClaims(Boolean cursorClaims) {
      this.cursorClaims = cursorClaims;
    }
  }

  /** {@code keel.consumer.*}; see the {@code CONSUMER_*} {@link ConfigKey}s. */
  public static class Consumer {
    /** Handler threads. */
    private Integer threads;

    /** Records in flight. */
    private Integer maxInFlight;

    /** Records per handler batch. */
    private Integer maxBatchSize;

    /** Hold a failed key's later records back (ordered dead letters). */
    private Boolean orderedMode;

    /** Retry-tier delays, such as {@code 1m,10m}; unset: none. */
    private List<Duration> retryTiers;

    /** How long processed-record ids are kept for de-duplication. */
    private Duration dedupeRetention;

    /** How often expired ids are purged. */
    private Duration cleanupInterval;

    /** Rows deleted per cleanup statement. */
    private Integer cleanupBatchSize;

    /** Rows deleted per cleanup run at most. */
    private Long cleanupMaxRowsPerRun;

    /** Kafka poll timeout. */
    private Duration pollTimeout;

    /** Least time between offset commits; {@code 0s}: after every poll that made progress. */
    private Duration commitInterval;

    /** How long close waits for in-flight records. */
    private Duration closeTimeout;

    /** Handler threads. */
    public Integer getThreads() {
      return threads;
    }

    /** Sets {@code keel.consumer.threads}. */
    public void setThreads(Integer threads) {
      this.threads = threads;
    }

    /** Records in flight. */
    public Integer getMaxInFlight() {
      return maxInFlight;
    }

    /** Sets {@code keel.consumer.max-in-flight}. */
    public void setMaxInFlight(Integer maxInFlight) {
      this.maxInFlight = maxInFlight;
    }

    /** Records per handler batch. */
    public Integer getMaxBatchSize() {
      return maxBatchSize;
    }

    /** Sets {@code keel.consumer.max-batch-size}. */
    public void setMaxBatchSize(Integer maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
    }

    /** Hold a failed key's later records back (ordered dead letters). */
    public Boolean getOrderedMode() {
      return orderedMode;
    }

    /** Sets {@code keel.consumer.ordered-mode}. */
    public void setOrderedMode(Boolean orderedMode) {
      this.orderedMode = orderedMode;
    }

    /** Retry-tier delays, such as {@code 1m,10m}; unset: none. */
    public List<Duration> getRetryTiers() {
      return retryTiers;
    }

    /** Sets {@code keel.consumer.retry-tiers}. */
    public void setRetryTiers(List<Duration> retryTiers) {
      this.retryTiers = retryTiers == null ? null : new ArrayList<>(retryTiers);
    }

    /** How long processed-record ids are kept for de-duplication. */
    public Duration getDedupeRetention() {
      return dedupeRetention;
    }

    /** Sets {@code keel.consumer.dedupe-retention}. */
    public void setDedupeRetention(Duration dedupeRetention) {
      this.dedupeRetention = dedupeRetention;
    }

    /** How often expired ids are purged. */
    public Duration getCleanupInterval() {
      return cleanupInterval;
    }

    /** Sets {@code keel.consumer.cleanup-interval}. */
    public void setCleanupInterval(Duration cleanupInterval) {
      this.cleanupInterval = cleanupInterval;
    }

    /** Rows deleted per cleanup statement. */
    public Integer getCleanupBatchSize() {
      return cleanupBatchSize;
    }

    /** Sets {@code keel.consumer.cleanup-batch-size}. */
    public void setCleanupBatchSize(Integer cleanupBatchSize) {
      this.cleanupBatchSize = cleanupBatchSize;
    }

    /** Rows deleted per cleanup run at most. */
    public Long getCleanupMaxRowsPerRun() {
      return cleanupMaxRowsPerRun;
    }

    /** Sets {@code keel.consumer.cleanup-max-rows-per-run}. */
    public void setCleanupMaxRowsPerRun(Long cleanupMaxRowsPerRun) {
      this.cleanupMaxRowsPerRun = cleanupMaxRowsPerRun;
    }

    /** Kafka poll timeout. */
    public Duration getPollTimeout() {
      return pollTimeout;
    }

    /** Sets {@code keel.consumer.poll-timeout}. */
    public void setPollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
    }

    /** Least time between offset commits; {@code 0s}: after every poll that made progress. */
    public Duration getCommitInterval() {
      return commitInterval;
    }

    /** Sets {@code keel.consumer.commit-interval}. */
    public void setCommitInterval(Duration commitInterval) {
      this.commitInterval = commitInterval;
    }

    /** How long close waits for in-flight records. */
    public Duration getCloseTimeout() {
      return closeTimeout;
    }

    /** Sets {@code keel.consumer.close-timeout}. */
    public void setCloseTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
    }
  }

  /** {@code keel.listeners.*}: the {@code @KeelListener} methods found on the context's beans. */
  public static class Listeners {
    /** Whether {@code @KeelListener} methods are found and run by a consumer runtime. */
    private boolean enabled = true;

    /** Whether {@code @KeelListener} methods are found and run by a consumer runtime. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets {@code keel.listeners.enabled}. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /**
   * {@code keel.flyway.*}: when the application uses Flyway, Keel's table scripts run through
   * Flyway, one history table per component ({@code <table-prefix>flyway_<component>}) beside the
   * application's, and {@code keel.database.schema-policy} defaults to {@code NONE}.
   */
  public static class Flyway {
    /** Whether Keel's migrations run through Flyway when the application has a Flyway bean. */
    private boolean enabled = true;

    /** Whether Keel's migrations run through Flyway when the application has a Flyway bean. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets {@code keel.flyway.enabled}. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /**
   * {@code keel.liquibase.*}: when the application uses Liquibase, Keel's table scripts run through
   * Liquibase, one change-log table per component ({@code <table-prefix>liquibase_<component>})
   * beside the application's, and {@code keel.database.schema-policy} defaults to {@code NONE}.
   */
  public static class Liquibase {
    /** Whether Keel's migrations run through Liquibase when the application has Liquibase. */
    private boolean enabled = true;

    /** Whether Keel's migrations run through Liquibase when the application has Liquibase. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets {@code keel.liquibase.enabled}. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** {@code keel.dlq.*}; see the {@code DLQ_*} {@link ConfigKey}s. */
  public static class Dlq {
    /** Whether the dead-letter beans (store, operator API) are configured. */
    private boolean enabled = true;

    /** Whether the dead-letter beans (store, operator API) are configured. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets {@code keel.dlq.enabled}. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Topics a replay may target besides the source topic. */
    private List<String> allowedTargets;

    /** Replayed records per second. */
    private Double replayRate;

    /** Timeout of a replay's Kafka sends. */
    private Duration timeout;

    /** Topics a replay may target besides the source topic. */
    public List<String> getAllowedTargets() {
      return allowedTargets;
    }

    /** Sets {@code keel.dlq.allowed-targets}. */
    public void setAllowedTargets(List<String> allowedTargets) {
      this.allowedTargets = allowedTargets;
    }

    /** Replayed records per second. */
    public Double getReplayRate() {
      return replayRate;
    }

    /** Sets {@code keel.dlq.replay-rate}. */
    public void setReplayRate(Double replayRate) {
      this.replayRate = replayRate;
    }

    /** Timeout of a replay's Kafka sends. */
    public Duration getTimeout() {
      return timeout;
    }

    /** Sets {@code keel.dlq.timeout}. */
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  /** {@code keel.saga.*}; see the {@code SAGA_*} {@link ConfigKey}s. */
  public static class Saga {
    /** Whether the saga beans (orchestrator, participants, admin) are configured. */
    private boolean enabled = true;

    /** Whether the saga beans (orchestrator, participants, admin) are configured. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets {@code keel.saga.enabled}. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    private final Part orchestrator = new Part();
    private final Part participants = new Part();
    private final Admin admin = new Admin();

    /** {@code keel.saga.orchestrator.enabled}: the orchestrator of the SagaDefinition beans. */
    public Part getOrchestrator() {
      return orchestrator;
    }

    /** {@code keel.saga.participants.enabled}: the runtime of the SagaParticipant beans. */
    public Part getParticipants() {
      return participants;
    }

    /**
     * {@code keel.saga.admin.enabled}: the SagaAdmin even without saga beans (an instance that only
     * operates the sagas of others); off by default.
     */
    public Admin getAdmin() {
      return admin;
    }

    /** One switchable part of the saga beans, on by default. */
    public static class Part {
      /** Whether this part is configured. */
      private boolean enabled = true;

      /** Whether this part is configured. */
      public boolean isEnabled() {
        return enabled;
      }

      /** Sets whether this part is configured. */
      public void setEnabled(boolean enabled) {
        this.enabled = enabled;
      }
    }

    /** {@code keel.saga.admin.*}. */
    public static class Admin {
      /** Whether the SagaAdmin is configured without saga beans. */
      private boolean enabled = false;

      /** Whether the SagaAdmin is configured without saga beans. */
      public boolean isEnabled() {
        return enabled;
      }

      /** Sets {@code keel.saga.admin.enabled}. */
      public void setEnabled(boolean enabled) {
        this.enabled = enabled;
      }
    }

    /** Consumer group of the orchestrator's reply consumer. */
    private String group;

    /** How often deadlines and timers are scanned. */
    private Duration scanInterval;

    /** Sagas handled per scan. */
    private Integer scanBatchSize;

    /** Age after which a waiting saga counts as stuck. */
    private Duration stuckThreshold;

    /** Consumer group of the orchestrator's reply consumer. */
    public String getGroup() {
      return group;
    }

    /** Sets {@code keel.saga.group}. */
    public void setGroup(String group) {
      this.group = group;
    }

    /** How often deadlines and timers are scanned. */
    public Duration getScanInterval() {
      return scanInterval;
    }

    /** Sets {@code keel.saga.scan-interval}. */
    public void setScanInterval(Duration scanInterval) {
      this.scanInterval = scanInterval;
    }

    /** Sagas handled per scan. */
    public Integer getScanBatchSize() {
      return scanBatchSize;
    }

    /** Sets {@code keel.saga.scan-batch-size}. */
    public void setScanBatchSize(Integer scanBatchSize) {
      this.scanBatchSize = scanBatchSize;
    }

    /** Age after which a waiting saga counts as stuck. */
    public Duration getStuckThreshold() {
      return stuckThreshold;
    }

    /** Sets {@code keel.saga.stuck-threshold}. */
    public void setStuckThreshold(Duration stuckThreshold) {
      this.stuckThreshold = stuckThreshold;
    }
  }
}
