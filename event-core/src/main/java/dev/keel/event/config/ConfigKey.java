package dev.keel.event.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Every configuration key Keel reads from properties, with its type, default, bounds and doc: the
 * one place that lists them. Keys are relative to a prefix, {@code keel} unless told otherwise
 * ({@link KeelSettings#DEFAULT_PREFIX}), so {@link #RELAY_LANES} is read as {@code
 * keel.relay.lanes}. Durations accept ISO-8601 ({@code PT10S}) or a number with a unit ({@code
 * 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 7d}); lists are comma-separated.
 *
 * <p>A builder setter with the same meaning validates the same bounds; values read through {@link
 * KeelSettings} are validated here first, so the error names the key ({@code "keel.relay.lanes must
 * be between 1 and 4096, was 0"}).
 *
 * <p>The builders start from the same defaults ({@link #intDefault()}, {@link #durationDefault()}
 * ...), so a default is written once, here. A key whose default is empty is unset or computed, as
 * its doc says.
 */
public enum ConfigKey {
  // ---- database: shared by every component (KeelDatabase)
  /** Schema of Keel's tables; empty means the connection's current schema. */
  DATABASE_SCHEMA(
      "database.schema", Type.STRING, "", "Schema of Keel's tables; empty: the connection's"),
  /** Table-name prefix. */
  DATABASE_TABLE_PREFIX(
      "database.table-prefix", Type.STRING, "keel_", "Table-name prefix (`keel_outbox`...)"),
  /** What components do about their tables at start: {@link SchemaPolicy}. */
  DATABASE_SCHEMA_POLICY(
      "database.schema-policy",
      Type.ENUM,
      "INSTALL",
      "`INSTALL` (create/upgrade at start), `VALIDATE` (check only) or `NONE`"),
  /** The SQL dialect; detected from the data source when empty. */
  DATABASE_DIALECT(
      "database.dialect",
      Type.ENUM,
      "",
      "`POSTGRES`, `MYSQL`, `MARIADB` or `H2`; empty: detected from the data source"),

  // ---- kafka: shared by every component (KeelKafka)
  /** Kafka bootstrap servers; required by the components that talk to Kafka. */
  KAFKA_BOOTSTRAP_SERVERS(
      "kafka.bootstrap-servers", Type.STRING, null, "Kafka bootstrap servers (required)"),
  /** Prefix of the {@code client.id} of Keel's Kafka clients. */
  KAFKA_CLIENT_ID_PREFIX(
      "kafka.client-id-prefix",
      Type.STRING,
      "",
      "Prefix of Keel's clients' `client.id` (`<prefix>-relay`...); empty: each component's own"),
  /** Any Kafka client property, passed through (security settings included; masked in logs). */
  KAFKA_PROPERTIES(
      "kafka.properties.*",
      Type.MAP,
      null,
      "Any Kafka client property, passed through (`security.protocol`, `sasl.jaas.config`...)"),

  // ---- outbox
  /** Outbox lanes; the relay built from the outbox takes the same. */
  OUTBOX_LANES("outbox.lanes", Type.INT, "16", 1, 4096, "Lanes; the relay takes the outbox's"),
  /** Largest payload accepted at append. */
  OUTBOX_MAX_PAYLOAD_BYTES(
      "outbox.max-payload-bytes",
      Type.INT,
      "1048576",
      1,
      64 * 1024 * 1024,
      "Largest payload accepted at append, in bytes"),
  /** Topics whose events must carry a key; {@code *} for all. */
  OUTBOX_REQUIRE_KEY(
      "outbox.require-key", Type.LIST, "", "Topics whose events must carry a key; `*`: all"),

  // ---- relay
  /** Relay lanes when not taken from the outbox. */
  RELAY_LANES(
      "relay.lanes",
      Type.INT,
      "16",
      1,
      4096,
      "Lanes when not taken from the outbox; must equal it"),
  /** Rows claimed per lane and pass (on PostgreSQL's scan in id order, shared by the lanes). */
  RELAY_BATCH_SIZE(
      "relay.batch-size",
      Type.INT,
      "500",
      1,
      10_000,
      "Rows claimed per lane and pass; PostgreSQL's scan in id order reads this many per lane of"
          + " the worker, shared by its lanes"),
  /** Payload bytes one worker claims per pass. */
  RELAY_MAX_BYTES_PER_PASS(
      "relay.max-bytes-per-pass",
      Type.LONG,
      "16777216",
      64 * 1024,
      1L << 30,
      "Payload bytes one worker claims per pass"),
  /** Publishing threads. */
  RELAY_WORKERS(
      "relay.workers",
      Type.INT,
      "",
      1,
      64,
      "Publishing threads; empty: computed, 2 to 4 by available processors"),
  /** Idle poll interval. */
  RELAY_POLL_INTERVAL(
      "relay.poll-interval",
      Type.DURATION,
      "500ms",
      "How often idle lanes are polled; after a slow empty claim, up to ten times as long"),
  /** Lane lease duration. */
  RELAY_LEASE_DURATION(
      "relay.lease-duration", Type.DURATION, "10s", "Lane lease duration (at least 300ms)"),
  /** How long close waits for in-flight batches. */
  RELAY_CLOSE_TIMEOUT(
      "relay.close-timeout", Type.DURATION, "30s", "How long close waits for in-flight batches"),
  /** Deadline for a lane's acknowledgements. */
  RELAY_ACK_TIMEOUT(
      "relay.ack-timeout", Type.DURATION, "30s", "Deadline for a lane batch's acknowledgements"),
  /** First backoff after a failure. */
  RELAY_BACKOFF_INITIAL(
      "relay.backoff-initial", Type.DURATION, "100ms", "First backoff after a failure"),
  /** Largest backoff after failures. */
  RELAY_BACKOFF_MAX("relay.backoff-max", Type.DURATION, "10s", "Largest backoff after failures"),
  /** Keep published rows for this long instead of deleting them. */
  RELAY_PUBLISHED_RETENTION(
      "relay.published-retention",
      Type.DURATION,
      "",
      "Keep published rows this long (mark-published); empty: delete them"),
  /** The id in the lease table. */
  RELAY_INSTANCE_ID(
      "relay.instance-id",
      Type.STRING,
      "",
      "Id in the lease table; empty: computed, host name plus a random suffix"),
  /** Stop a lane at a row it can never publish. */
  RELAY_STRICT_ORDERING(
      "relay.strict-ordering", Type.BOOLEAN, "false", "Stop a lane at a row it cannot publish"),
  /** Attempts for a row failing alone before quarantine. */
  RELAY_MAX_ATTEMPTS(
      "relay.max-attempts",
      Type.INT,
      "10",
      1,
      1_000_000,
      "Attempts for a row failing alone before quarantine"),
  /** Wake up on PostgreSQL LISTEN/NOTIFY. */
  RELAY_LISTEN_NOTIFY(
      "relay.listen-notify", Type.BOOLEAN, "true", "Wake up on PostgreSQL `LISTEN/NOTIFY`"),
  /** Publish behind per-lane cursors, cleaning up in the background (PostgreSQL). */
  RELAY_CURSOR_CLAIMS(
      "relay.cursor-claims",
      Type.BOOLEAN,
      "false",
      "PostgreSQL: claim behind per-lane cursors without row locks, delete published rows in the"
          + " background"),

  // ---- consumer runtime
  /** Handler threads. */
  CONSUMER_THREADS("consumer.threads", Type.INT, "1", 1, 256, "Handler threads"),
  /** Records in flight per runtime. */
  CONSUMER_MAX_IN_FLIGHT(
      "consumer.max-in-flight", Type.INT, "500", 1, 100_000, "Records in flight"),
  /** Records per handler batch. */
  CONSUMER_MAX_BATCH_SIZE(
      "consumer.max-batch-size", Type.INT, "100", 1, 1000, "Records per handler batch"),
  /** Ordered mode of the runtime's own dead-letter publisher. */
  CONSUMER_ORDERED_MODE(
      "consumer.ordered-mode",
      Type.BOOLEAN,
      "false",
      "Hold a failed key's later records back (ordered dead letters)"),
  /** Retry-tier delays. */
  CONSUMER_RETRY_TIERS(
      "consumer.retry-tiers", Type.LIST, "", "Retry-tier delays, such as `1m,10m`; empty: none"),
  /** How long processed-record ids are kept. */
  CONSUMER_DEDUPE_RETENTION(
      "consumer.dedupe-retention",
      Type.DURATION,
      "14d",
      "How long processed-record ids are kept for de-duplication"),
  /** How often expired ids are purged. */
  CONSUMER_CLEANUP_INTERVAL(
      "consumer.cleanup-interval", Type.DURATION, "1m", "How often expired ids are purged"),
  /** Rows deleted per cleanup statement. */
  CONSUMER_CLEANUP_BATCH_SIZE(
      "consumer.cleanup-batch-size",
      Type.INT,
      "1000",
      1,
      100_000,
      "Rows deleted per cleanup statement"),
  /** Rows deleted per cleanup run at most. */
  CONSUMER_CLEANUP_MAX_ROWS_PER_RUN(
      "consumer.cleanup-max-rows-per-run",
      Type.LONG,
      "1000000",
      1,
      1_000_000_000L,
      "Rows deleted per cleanup run at most"),
  /** Kafka poll timeout. */
  CONSUMER_POLL_TIMEOUT("consumer.poll-timeout", Type.DURATION, "100ms", "Kafka poll timeout"),
  /** Least time between offset commits; 0 after every poll that made progress. */
  CONSUMER_COMMIT_INTERVAL(
      "consumer.commit-interval",
      Type.DURATION,
      "0s",
      "Least time between offset commits; `0s`: after every poll that made progress"),
  /** How long close waits for in-flight records. */
  CONSUMER_CLOSE_TIMEOUT(
      "consumer.close-timeout", Type.DURATION, "30s", "How long close waits for in-flight records"),

  // ---- dead letters (operator API)
  /** Topics a replay may target besides a record's own. */
  DLQ_ALLOWED_TARGETS(
      "dlq.allowed-targets", Type.LIST, "", "Topics a replay may target besides the source topic"),
  /** Replay rate. */
  DLQ_REPLAY_RATE("dlq.replay-rate", Type.DOUBLE, "50", "Replayed records per second"),
  /** Timeout of a replay's sends. */
  DLQ_TIMEOUT("dlq.timeout", Type.DURATION, "30s", "Timeout of a replay's Kafka sends"),

  // ---- saga orchestrator
  /** Consumer group of the orchestrator's reply consumer. */
  SAGA_GROUP(
      "saga.group", Type.STRING, "keel-saga-orchestrator", "Consumer group of the reply consumer"),
  /** Deadline and timer scan interval. */
  SAGA_SCAN_INTERVAL(
      "saga.scan-interval", Type.DURATION, "1s", "How often deadlines and timers are scanned"),
  /** Sagas handled per scan. */
  SAGA_SCAN_BATCH_SIZE(
      "saga.scan-batch-size", Type.INT, "100", 1, 10_000, "Sagas handled per scan"),
  /** Age after which a waiting saga counts as stuck. */
  SAGA_STUCK_THRESHOLD(
      "saga.stuck-threshold",
      Type.DURATION,
      "10m",
      "Age after which a waiting saga counts as stuck");

  /** The type of a key's value. */
  public enum Type {
    /** Text. */
    STRING,
    /** A 32-bit integer within the key's bounds. */
    INT,
    /** A 64-bit integer within the key's bounds. */
    LONG,
    /** A decimal number. */
    DOUBLE,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /**
     * ISO-8601 or a number with a unit ({@code ms}, {@code s}, {@code m}, {@code h}, {@code d}).
     */
    DURATION,
    /** A comma-separated list. */
    LIST,
    /** An enum constant's name, case-insensitive. */
    ENUM,
    /** Every key under the key's prefix, passed through. */
    MAP
  }

  private final String name;
  private final Type type;
  private final String defaultValue;
  private final long min;
  private final long max;
  private final String doc;

  ConfigKey(String name, Type type, String defaultValue, String doc) {
    this(name, type, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE, doc);
  }

  ConfigKey(String name, Type type, String defaultValue, long min, long max, String doc) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.min = min;
    this.max = max;
    this.doc = doc;
  }

  /** The key relative to the prefix, such as {@code relay.lanes} ({@code kafka.properties.*}). */
  public String key() {
    return name;
  }

  /** The full key under a prefix, such as {@code keel.relay.lanes}. */
  public String key(String prefix) {
    return prefix == null || prefix.isEmpty() ? name : prefix + "." + name;
  }

  /** The section: the key's first segment ({@code database}, {@code relay}...). */
  public String section() {
    return name.substring(0, name.indexOf('.'));
  }

  /** The value's type. */
  public Type type() {
    return type;
  }

  /**
   * The default as text; empty when the default is "unset" (described by the doc), absent when the
   * key is required or has no single value.
   */
  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /** The smallest accepted value of a numeric key. */
  public long min() {
    return min;
  }

  /** The largest accepted value of a numeric key. */
  public long max() {
    return max;
  }

  /** What the key does, one line. */
  public String doc() {
    return doc;
  }

  /**
   * The default of an {@link Type#INT} key, parsed and checked as {@link KeelSettings#intValue}
   * does: the value a builder starts from, so the two cannot drift.
   *
   * @throws IllegalStateException when the key is not an {@code INT} key or has no single default
   *     (required, or computed as its doc says)
   */
  public int intDefault() {
    requireDefault(Type.INT);
    return KeelSettings.empty().intValue(this);
  }

  /**
   * The default of a {@link Type#LONG} key, parsed and checked as {@link KeelSettings#longValue}
   * does.
   *
   * @throws IllegalStateException when the key is not a {@code LONG} key or has no single default
   */
  public long longDefault() {
    requireDefault(Type.LONG);
    return KeelSettings.empty().longValue(this);
  }

  /**
   * The default of a {@link Type#DOUBLE} key, parsed as {@link KeelSettings#doubleValue} does.
   *
   * @throws IllegalStateException when the key is not a {@code DOUBLE} key or has no single default
   */
  public double doubleDefault() {
    requireDefault(Type.DOUBLE);
    return KeelSettings.empty().doubleValue(this);
  }

  /**
   * The default of a {@link Type#BOOLEAN} key, parsed as {@link KeelSettings#bool} does.
   *
   * @throws IllegalStateException when the key is not a {@code BOOLEAN} key or has no single
   *     default
   */
  public boolean boolDefault() {
    requireDefault(Type.BOOLEAN);
    return KeelSettings.empty().bool(this);
  }

  /**
   * The default of a {@link Type#DURATION} key, parsed as {@link KeelSettings#duration} does.
   *
   * @throws IllegalStateException when the key is not a {@code DURATION} key or has no single
   *     default
   */
  public Duration durationDefault() {
    requireDefault(Type.DURATION);
    return KeelSettings.empty().duration(this);
  }

  /**
   * The default of a {@link Type#STRING} key.
   *
   * @throws IllegalStateException when the key is not a {@code STRING} key or has no single default
   */
  public String stringDefault() {
    requireDefault(Type.STRING);
    return defaultValue;
  }

  /**
   * The default of an {@link Type#ENUM} key as a constant of the given type, parsed as {@link
   * KeelSettings#enumValue} does.
   *
   * @throws IllegalStateException when the key is not an {@code ENUM} key or has no single default
   */
  public <E extends Enum<E>> E enumDefault(Class<E> enumType) {
    requireDefault(Type.ENUM);
    return KeelSettings.empty().enumValue(this, enumType).orElseThrow();
  }

  private void requireDefault(Type expected) {
    if (type != expected) {
      throw new IllegalStateException(
          name + " is a " + type + " key, not " + expected + "; read its default as such");
    }
    if (defaultValue == null || defaultValue.isEmpty()) {
      throw new IllegalStateException(
          name + " has no single default (" + (defaultValue == null ? "required" : doc) + ")");
    }
  }

  /** Whether the numeric key has bounds. */
  boolean bounded() {
    return min != Long.MIN_VALUE || max != Long.MAX_VALUE;
  }

  /** The key of a relative name such as {@code relay.lanes}, if there is one. */
  static Optional<ConfigKey> of(String relative) {
    for (ConfigKey k : values()) {
      if (k.type == Type.MAP
          ? relative.startsWith(k.name.substring(0, k.name.length() - 1))
          : k.name.equals(relative)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
