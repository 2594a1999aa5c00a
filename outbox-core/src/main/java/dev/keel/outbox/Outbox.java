package dev.keel.outbox;

import dev.keel.event.Event;
import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.internal.DefaultOutbox;
import dev.keel.outbox.observation.DefaultOutboxAppendObservationConvention;
import dev.keel.outbox.observation.OutboxAppendContext;
import dev.keel.outbox.observation.OutboxAppendObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Appends events to the outbox table in the caller's open transaction. Nothing is sent before the
 * transaction commits; a rollback removes the events with the business change. The relay ({@link
 * OutboxRelay}) publishes committed rows.
 *
 * <pre>{@code
 * Outbox outbox = Outbox.builder().lanes(16).requireKey("orders").build();
 *
 * try (Connection c = dataSource.getConnection()) {
 *   c.setAutoCommit(false);
 *   insertOrder(c, order);
 *   outbox.append(c, Event.builder().type("order.placed").topic("orders").key(order.id())
 *       .source("order-service").payloadJson(order).build());
 *   c.commit();
 * }
 * }</pre>
 *
 * <p>Bad input ({@link InvalidEventException}, {@link
 * dev.keel.event.UnknownContractVersionException}) is rejected before anything is written, so the
 * caller's transaction is untouched and the caller decides. Append inside READ COMMITTED
 * transactions (PostgreSQL's default) for the exact commit-order fence.
 *
 * <p>Thread-safe; one instance serves the whole application. It holds no connection.
 */
public interface Outbox {

  /** Starts a builder. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * A builder with the {@code outbox} keys of a properties tree applied ({@code keel.outbox.lanes},
   * {@code keel.outbox.max-payload-bytes}, {@code keel.outbox.require-key}; see {@link ConfigKey}).
   *
   * @throws dev.keel.event.KeelConfigurationException naming a key that is wrong or unknown
   */
  static Builder fromProperties(KeelSettings settings) {
    return builder().settings(settings);
  }

  /**
   * Appends one event in the connection's current transaction.
   *
   * @param connection the caller's connection; not committed, not closed
   * @param event the event
   * @return the event's id, the idempotency key downstream
   * @throws InvalidEventException when the event breaks a rule of this outbox
   * @throws AutoCommitConnectionException when the connection is in auto-commit mode (nothing is
   *     written)
   * @throws dev.keel.event.UnknownContractVersionException when the contract version is unknown
   * @throws dev.keel.event.RetriableKeelException when the database refused the insert
   * @throws dev.keel.event.config.MissingSchemaException when the outbox table does not exist (the
   *     schema was never installed): not retriable
   */
  UUID append(Connection connection, Event event);

  /**
   * Appends events in one JDBC batch, in list order, in the connection's current transaction. All
   * are validated before any is written; a connection in auto-commit mode is refused with {@link
   * AutoCommitConnectionException}.
   *
   * @return the ids, in list order
   */
  List<UUID> appendAll(Connection connection, List<Event> events);

  /** The number of lanes; the relay must be built with the same number. */
  int lanes();

  /** Where the outbox's tables live; a relay built with {@code outbox(this)} uses the same. */
  TableNames tableNames();

  /** The lane of a partition key: a stable hash of its UTF-8 bytes modulo {@link #lanes()}. */
  int laneOf(String key);

  /** The contracts appended events are checked against ({@link EventContracts#none()} if unset). */
  EventContracts contracts();

  /** Whether events appended for this topic must carry a key. */
  boolean requiresKey(String topic);

  /** Builds an {@link Outbox}. Not thread-safe; {@link #build()} copies the configuration. */
  final class Builder {
    private TableNames tableNames = TableNames.defaults();
    private SqlDialect dialect;
    private int lanes = ConfigKey.OUTBOX_LANES.intDefault();
    private int maxPayloadBytes = ConfigKey.OUTBOX_MAX_PAYLOAD_BYTES.intDefault();
    private EventContracts contracts = EventContracts.none();
    private Set<String> keyedTopics = Set.of();
    private boolean allTopicsKeyed;
    private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;
    private OutboxAppendObservationConvention observationConvention;

    private Builder() {}

    /** The shared database: its table names and dialect (an outbox holds no connection). */
    public Builder database(KeelDatabase database) {
      this.tableNames = database.tableNames();
      this.dialect = database.dialect().orElse(null);
      return this;
    }

    /**
     * Applies the {@code outbox} keys that are set; keys left out keep this builder's values.
     *
     * @throws dev.keel.event.KeelConfigurationException naming a key that is wrong or unknown
     */
    public Builder settings(KeelSettings settings) {
      settings.requireKnown("outbox");
      settings.intIfSet(ConfigKey.OUTBOX_LANES).ifPresent(this::lanes);
      settings.intIfSet(ConfigKey.OUTBOX_MAX_PAYLOAD_BYTES).ifPresent(this::maxPayloadBytes);
      List<String> keyed = settings.list(ConfigKey.OUTBOX_REQUIRE_KEY);
      if (keyed.contains("*")) {
        requireKeyOnAllTopics();
      } else if (!keyed.isEmpty()) {
        requireKey(keyed.toArray(String[]::new));
      }
      return this;
    }

    /** Schema and table prefix; {@link TableNames#defaults()} by default. */
    public Builder tableNames(TableNames tableNames) {
      this.tableNames = tableNames;
      return this;
    }

    /** The dialect; detected from the first connection when not set. */
    public Builder dialect(SqlDialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /**
     * Lanes, 1 to 4096; 16 by default. Must equal the relay's. Change only with an empty outbox.
     */
    public Builder lanes(int lanes) {
      this.lanes = lanes;
      return this;
    }

    /** The largest payload accepted, in bytes, 1 to 64 MiB; 1 MiB by default. */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /** Contracts checked at append: a registered type with an unknown version is refused. */
    public Builder contracts(EventContracts contracts) {
      this.contracts = contracts;
      return this;
    }

    /** Topics whose events must carry a partition key. */
    public Builder requireKey(String... topics) {
      this.keyedTopics = Set.of(topics);
      return this;
    }

    /** Every event must carry a partition key. */
    public Builder requireKeyOnAllTopics() {
      this.allTopicsKeyed = true;
      return this;
    }

    /**
     * Where append observations go: one {@code create <topic>} observation per appended event (see
     * {@link OutboxAppendContext}). With a tracing bridge the append span is a child of the span
     * current on the appending thread, and its W3C trace context ({@code traceparent}, {@code
     * tracestate}) is stored with the row for the relay and the consumers to continue. {@link
     * ObservationRegistry#NOOP} by default: appends then do no observation work.
     *
     * @param registry the registry; not null
     */
    public Builder observationRegistry(ObservationRegistry registry) {
      this.observationRegistry = registry;
      return this;
    }

    /**
     * A convention that renames the append observation or changes its key values; {@link
     * DefaultOutboxAppendObservationConvention} (or one registered globally on the registry) by
     * default.
     *
     * @param convention the convention, or null for the default
     */
    public Builder observationConvention(OutboxAppendObservationConvention convention) {
      this.observationConvention = convention;
      return this;
    }

    /** The payload limit {@link #build()} gives the outbox (for tests of the defaults). */
    int configuredMaxPayloadBytes() {
      return maxPayloadBytes;
    }

    /** Validates and builds. */
    public Outbox build() {
      OutboxRelay.Builder.checkLanes("Outbox.lanes", lanes);
      if (maxPayloadBytes < 1 || maxPayloadBytes > 64 * 1024 * 1024) {
        throw new dev.keel.event.KeelConfigurationException(
            "Outbox.maxPayloadBytes must be between 1 and 67108864, was " + maxPayloadBytes);
      }
      if (tableNames == null || contracts == null) {
        throw new dev.keel.event.KeelConfigurationException(
            "Outbox.tableNames and Outbox.contracts must not be null");
      }
      if (observationRegistry == null) {
        throw new dev.keel.event.KeelConfigurationException(
            "Outbox.observationRegistry must not be null (ObservationRegistry.NOOP for none)");
      }
      return new DefaultOutbox(
          tableNames,
          dialect,
          lanes,
          maxPayloadBytes,
          contracts,
          keyedTopics,
          allTopicsKeyed,
          observationRegistry,
          observationConvention);
    }
  }
}
