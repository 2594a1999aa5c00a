package dev.keel.dlq;

import dev.keel.dlq.internal.JdbcDeadLetterStore;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The dead-letter tables ({@code keel_dead_letter}, {@code keel_dlq_blocked_key}, {@code
 * keel_dlq_parked}, {@code keel_dlq_audit}) on PostgreSQL, MySQL 8 / MariaDB 10.6+ or H2: every
 * dead letter is recorded here as well as in {@code <topic>.dlq}, with its key and payload as bytes
 * and its headers as JSON, queryable by topic, group, reason, key and time window.
 *
 * <pre>{@code
 * DeadLetterStore store = DeadLetterStore.builder().dataSource(ds).build();
 * store.install(); // or run the scripts under keel/sql/<dialect>/dlq with your migration tool
 * List<DeadLetter> recent = store.find(DeadLetterQuery.builder().topic("orders").build());
 * }</pre>
 *
 * <p>Writes happen through {@link DeadLetterPublisher} and {@link DeadLetters}. Thread-safe; it
 * borrows a connection per call and does not own the data source.
 */
public interface DeadLetterStore {

  /** A new builder. */
  static Builder builder() {
    return new JdbcDeadLetterStore.Builder();
  }

  /**
   * Creates or upgrades the tables (component {@code dlq} of {@link
   * dev.keel.event.sql.SchemaInstaller}).
   */
  void install();

  /** The dialect in use. */
  SqlDialect dialect();

  /**
   * The database. {@link DeadLetters} and {@link DeadLetterPublisher} built with this store work on
   * the same data source, dialect, tables and clock.
   */
  DataSource dataSource();

  /** Schema and prefix of the tables. */
  TableNames tableNames();

  /** The clock of stored times. */
  Clock clock();

  /**
   * Dead letters matching a query, oldest first.
   *
   * @param query the filter
   */
  List<DeadLetter> find(DeadLetterQuery query);

  /**
   * One dead letter.
   *
   * @param id its id
   */
  Optional<DeadLetter> get(long id);

  /**
   * Every record parked behind a key, in release order, with payloads.
   *
   * @param group the consumer group
   * @param topic the source topic
   * @param key the key as UTF-8 text
   * @throws dev.keel.event.KeelConfigurationException when more than {@link
   *     DeadLetterQuery#MAX_LIMIT} records are parked behind the key
   * @deprecated reads a key's whole backlog at once; use {@link #parked(String, String, String,
   *     int)} and {@link #parked(String, String, String, long, int)}, a page at a time
   */
  @Deprecated
  List<ParkedRecord> parked(String group, String topic, String key);

  /**
   * The first records parked behind a key, in release order, with payloads.
   *
   * <pre>{@code
   * List<ParkedRecord> page = store.parked("billing", "orders", "o-42", 100);
   * while (!page.isEmpty()) {
   *   page.forEach(this::show);
   *   page = store.parked("billing", "orders", "o-42", page.get(page.size() - 1).id(), 100);
   * }
   * }</pre>
   *
   * @param group the consumer group
   * @param topic the source topic
   * @param key the key as UTF-8 text
   * @param limit at most this many, 1 to 10,000
   */
  List<ParkedRecord> parked(String group, String topic, String key, int limit);

  /**
   * The records parked behind a key after a given one, in release order, with payloads: the page
   * after the one whose last record had id {@code afterId}.
   *
   * @param group the consumer group
   * @param topic the source topic
   * @param key the key as UTF-8 text
   * @param afterId the id of the last record of the previous page
   * @param limit at most this many, 1 to 10,000
   */
  List<ParkedRecord> parked(String group, String topic, String key, long afterId, int limit);

  /**
   * Whether a key is blocked (ordered mode), so that its later records are parked.
   *
   * @param group the consumer group
   * @param topic the source topic
   * @param key the key bytes
   */
  boolean isBlocked(String group, String topic, byte[] key);

  /** How many keys are blocked, over all groups and topics. */
  long blockedKeys();

  /**
   * How many keys of one consumer group are blocked, over all topics.
   *
   * @param group the consumer group
   */
  long blockedKeys(String group);

  /**
   * The latest operator actions, newest first.
   *
   * @param limit at most this many, 1 to 10,000
   */
  List<AuditEntry> audit(int limit);

  /**
   * How many dead letters match a query's criteria (its {@code afterId} included), ignoring its
   * limit.
   *
   * @param query the filter
   */
  long count(DeadLetterQuery query);

  /** Builds a {@link DeadLetterStore}. Not thread-safe. */
  interface Builder {
    /** The shared database: its data source, dialect and table names. */
    default Builder database(KeelDatabase database) {
      database.dialect().ifPresent(this::dialect);
      return dataSource(database.dataSource()).tableNames(database.tableNames());
    }

    /** The database. Required. */
    Builder dataSource(DataSource dataSource);

    /** The dialect; detected from the data source when not set. */
    Builder dialect(SqlDialect dialect);

    /** Schema and prefix of the tables; {@link TableNames#defaults()} by default. */
    Builder tableNames(TableNames tableNames);

    /** The clock for stored times; UTC system clock by default. */
    Builder clock(Clock clock);

    /** Validates and builds. */
    DeadLetterStore build();
  }
}
