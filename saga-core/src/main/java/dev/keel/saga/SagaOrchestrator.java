package dev.keel.saga;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.saga.internal.DefaultSagaOrchestrator;
import dev.keel.saga.internal.OrchestratorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Runs saga definitions. Starting a saga, recording each step and emitting the next command happen
 * in one database transaction with the outbox row; replies are consumed by consumer-core's
 * idempotent consumer; step timeouts and retry delays are deadlines in the database, claimed with
 * {@code FOR UPDATE SKIP LOCKED} by any instance. Nothing lives only in memory, so an instance that
 * dies at any point leaves every saga to be resumed by itself after a restart or by another
 * instance.
 *
 * <pre>{@code
 * SagaOrchestrator sagas = SagaOrchestrator.builder()
 *     .dataSource(dataSource)
 *     .outbox(outbox)                        // an OutboxRelay publishes the commands
 *     .consumerProperties(Map.of("bootstrap.servers", bootstrap, "auto.offset.reset", "earliest"))
 *     .definition(orderFulfillment)
 *     .meterRegistry(registry)
 *     .build();
 * sagas.start();
 *
 * try (Connection tx = dataSource.getConnection()) {
 *   tx.setAutoCommit(false);
 *   insertOrder(tx, order);
 *   UUID sagaId = sagas.start(tx, orderFulfillment, new OrderSagaData(order.id(), order.total()));
 *   tx.commit();                             // the saga and its first command, or nothing
 * }
 * }</pre>
 *
 * <p>Thread-safe. The orchestrator owns its consumer runtime and its deadline scanner thread; it
 * never closes the given data source or outbox.
 */
public interface SagaOrchestrator extends AutoCloseable {

  /** Starts a builder. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * A builder with the {@code saga} keys of a properties tree applied ({@code keel.saga.*}; see
   * {@link ConfigKey}). Add {@code .database(db)}, {@code .kafka(kafka)}, the outbox and the
   * definitions.
   *
   * @throws KeelConfigurationException naming a key that is wrong or unknown
   */
  static Builder fromProperties(KeelSettings settings) {
    return builder().settings(settings);
  }

  /**
   * Installs the saga tables when asked to, and starts the reply consumer and the deadline scanner.
   *
   * @throws IllegalStateException when started twice or after close
   */
  void start();

  /**
   * Starts a saga in the caller's transaction: inserts the saga row, runs leading local steps and
   * appends the first command to the outbox. Nothing happens unless the caller commits. The
   * connection must not be in auto-commit mode.
   *
   * @param tx the caller's open transaction; not committed, not closed
   * @param definition a registered definition
   * @param data the initial saga data
   * @param <D> the saga data type
   * @return the saga id
   * @throws KeelConfigurationException when the definition is not registered here
   * @throws dev.keel.event.NonRetriableKeelException ({@code VALIDATION}) when the database refused
   *     the data itself (SQLState class 22, such as U+0000 in a string of the saga data): the same
   *     start fails the same way again
   * @throws dev.keel.event.RetriableKeelException when the database refused the writes otherwise
   */
  <D> UUID start(Connection tx, SagaDefinition<D> definition, D data);

  /**
   * Starts a saga by definition name in the caller's transaction.
   *
   * @param tx the caller's open transaction
   * @param sagaName the name of a registered definition
   * @param data the initial saga data, an instance of the definition's data type
   * @return the saga id
   * @throws KeelConfigurationException when no such definition is registered or the data has the
   *     wrong type
   */
  UUID start(Connection tx, String sagaName, Object data);

  /**
   * Handles every saga whose deadline has passed now (what the scanner does every {@link
   * Builder#scanInterval}), and refreshes the {@code keel.saga.stuck} gauge.
   *
   * @return the number of sagas handled
   */
  int scanDeadlinesNow();

  /** Queries and operator actions on the same tables. */
  SagaAdmin admin();

  /** Stops the scanner and the reply consumer (which commits the offsets of finished replies). */
  @Override
  void close();

  /** Builds a {@link SagaOrchestrator}; {@link #build()} validates. Not thread-safe. */
  final class Builder {
    private DataSource dataSource;
    private SqlDialect dialect;
    private TableNames tableNames = TableNames.defaults();
    private Outbox outbox;
    private Map<String, Object> consumerProperties;
    private UnaryOperator<ConsumerRuntime.Builder> consumerCustomizer = b -> b;
    private String group = ConfigKey.SAGA_GROUP.stringDefault();
    private final List<SagaDefinition<?>> definitions = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry;
    private Duration scanInterval = ConfigKey.SAGA_SCAN_INTERVAL.durationDefault();
    private int scanBatchSize = ConfigKey.SAGA_SCAN_BATCH_SIZE.intDefault();
    private Duration stuckThreshold = ConfigKey.SAGA_STUCK_THRESHOLD.durationDefault();
    private SchemaPolicy schemaPolicy =
        ConfigKey.DATABASE_SCHEMA_POLICY.enumDefault(SchemaPolicy.class);

    private Builder() {}

    /**
     * The shared database of the saga tables (and of the reply consumer's dedupe table): data
     * source (the caller keeps ownership), dialect, table names, schema policy.
     */
    public Builder database(KeelDatabase database) {
      this.dataSource = database.dataSource();
      this.dialect = database.dialect().orElse(null);
      this.tableNames = database.tableNames();
      this.schemaPolicy = database.schemaPolicy();
      return this;
    }

    /** The shared Kafka cluster, for the reply consumer. */
    public Builder kafka(KeelKafka kafka) {
      return consumerProperties(kafka.clientProperties("saga"));
    }

    /**
     * What {@link SagaOrchestrator#start()} does about the {@code saga} tables and its reply
     * consumer about the {@code consumer} tables; {@code INSTALL} by default.
     */
    public Builder schemaPolicy(SchemaPolicy schemaPolicy) {
      this.schemaPolicy = schemaPolicy;
      return this;
    }

    /**
     * Applies the {@code saga} keys that are set; keys left out keep this builder's values.
     *
     * @throws KeelConfigurationException naming a key that is wrong or unknown
     */
    public Builder settings(KeelSettings s) {
      s.requireKnown("saga");
      s.raw(ConfigKey.SAGA_GROUP).ifPresent(this::group);
      s.durationIfSet(ConfigKey.SAGA_SCAN_INTERVAL).ifPresent(this::scanInterval);
      s.intIfSet(ConfigKey.SAGA_SCAN_BATCH_SIZE).ifPresent(this::scanBatchSize);
      s.durationIfSet(ConfigKey.SAGA_STUCK_THRESHOLD).ifPresent(this::stuckThreshold);
      return this;
    }

    /** The database of the saga tables and the outbox. Required; the caller keeps ownership. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /** The dialect; detected when not set. */
    public Builder dialect(SqlDialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /** Schema and prefix of Keel's tables; {@link TableNames#defaults()} by default. */
    public Builder tableNames(TableNames tableNames) {
      this.tableNames = tableNames;
      return this;
    }

    /** The outbox commands and outcomes are appended to. Required. */
    public Builder outbox(Outbox outbox) {
      this.outbox = outbox;
      return this;
    }

    /**
     * Kafka consumer properties of the reply consumer ({@code bootstrap.servers} required, no
     * {@code group.id}); passed to consumer-core untouched and never logged. Not needed when every
     * step of every definition is local: there is no reply consumer then.
     */
    public Builder consumerProperties(Map<String, ?> properties) {
      this.consumerProperties = properties == null ? null : new HashMap<>(properties);
      return this;
    }

    /** Tunes the reply consumer's builder (threads, retry policy, poll timeout...). */
    public Builder consumerRuntime(UnaryOperator<ConsumerRuntime.Builder> customizer) {
      this.consumerCustomizer = customizer;
      return this;
    }

    /**
     * The consumer group of the reply consumer, also the {@code group} tag of every {@code
     * keel.saga.*} meter (give each service its own); {@code keel-saga-orchestrator} by default.
     */
    public Builder group(String group) {
      this.group = group;
      return this;
    }

    /** Registers a definition; names must be unique. */
    public Builder definition(SagaDefinition<?> definition) {
      definitions.add(Objects.requireNonNull(definition, "SagaOrchestrator.definition(null)"));
      return this;
    }

    /** The clock of deadlines and step times; UTC system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Where {@code keel.saga.*} meters go, each tagged with the {@link #group}; removed on {@link
     * SagaOrchestrator#close()}. None by default.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    /** How often deadlines are scanned, 10 ms to 1 hour; 1 second by default. */
    public Builder scanInterval(Duration interval) {
      this.scanInterval = interval;
      return this;
    }

    /** The most sagas handled per scan, 1 to 10,000; 100 by default. */
    public Builder scanBatchSize(int size) {
      this.scanBatchSize = size;
      return this;
    }

    /** No progress for longer than this counts as stuck for the gauge; 10 minutes by default. */
    public Builder stuckThreshold(Duration threshold) {
      this.stuckThreshold = threshold;
      return this;
    }

    /**
     * Whether {@link #start()} creates the saga tables; on by default.
     *
     * @deprecated use {@link #schemaPolicy(SchemaPolicy)}: {@code true} is {@code INSTALL}, {@code
     *     false} is {@code NONE} (which the reply consumer then follows too)
     */
    @Deprecated
    public Builder installSchema(boolean installSchema) {
      return schemaPolicy(installSchema ? SchemaPolicy.INSTALL : SchemaPolicy.NONE);
    }

    /**
     * Validates and builds; nothing connects before {@link #start()}.
     *
     * @throws KeelConfigurationException naming the first invalid property
     */
    public SagaOrchestrator build() {
      return new DefaultSagaOrchestrator(config());
    }

    /** Validates and returns the configuration {@link #build()} gives the orchestrator. */
    OrchestratorConfig config() {
      if (dataSource == null) {
        throw invalid("dataSource is required");
      }
      if (outbox == null) {
        throw invalid("outbox is required");
      }
      if (tableNames == null
          || clock == null
          || consumerCustomizer == null
          || schemaPolicy == null) {
        throw invalid("tableNames, clock, consumerRuntime and schemaPolicy must not be null");
      }
      if (definitions.isEmpty()) {
        throw invalid("definitions: at least one definition is required");
      }
      Set<String> names = new HashSet<>();
      boolean replies = false;
      for (SagaDefinition<?> d : definitions) {
        if (!names.add(d.name())) {
          throw invalid("definitions: two definitions are named " + d.name());
        }
        replies |= d.replyTopic().isPresent();
      }
      if (replies
          && (consumerProperties == null || consumerProperties.get("bootstrap.servers") == null)) {
        throw invalid("consumerProperties must contain bootstrap.servers");
      }
      if (group == null || group.isBlank() || group.length() > 255) {
        throw invalid("group must be 1 to 255 chars, was " + group);
      }
      if (scanInterval == null
          || scanInterval.compareTo(Duration.ofMillis(10)) < 0
          || scanInterval.compareTo(Duration.ofHours(1)) > 0) {
        throw invalid("scanInterval must be between PT0.01S and PT1H, was " + scanInterval);
      }
      if (scanBatchSize < 1 || scanBatchSize > 10_000) {
        throw invalid("scanBatchSize must be between 1 and 10000, was " + scanBatchSize);
      }
      if (stuckThreshold == null || stuckThreshold.compareTo(Duration.ofSeconds(1)) < 0) {
        throw invalid("stuckThreshold must be at least PT1S, was " + stuckThreshold);
      }
      return new OrchestratorConfig(
          dataSource,
          dialect,
          tableNames,
          outbox,
          consumerProperties == null ? Map.of() : Map.copyOf(consumerProperties),
          consumerCustomizer,
          group,
          List.copyOf(definitions),
          clock,
          meterRegistry,
          scanInterval,
          scanBatchSize,
          stuckThreshold,
          schemaPolicy);
    }

    private static KeelConfigurationException invalid(String rule) {
      return new KeelConfigurationException("SagaOrchestrator." + rule);
    }
  }
}
