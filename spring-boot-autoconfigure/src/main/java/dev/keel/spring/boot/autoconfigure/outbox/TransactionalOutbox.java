package dev.keel.spring.boot.autoconfigure.outbox;

import dev.keel.event.Event;
import dev.keel.outbox.Outbox;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Appends events to Keel's outbox in the caller's Spring-managed transaction: the same connection
 * the transaction uses, found through {@link DataSourceUtils}, so that the events commit or roll
 * back with the caller's JPA, {@code JdbcTemplate} or jOOQ writes. Works with any transaction
 * manager that binds a JDBC connection of the application's {@link DataSource} to the transaction
 * ({@code DataSourceTransactionManager}, {@code JdbcTransactionManager}, {@code
 * JpaTransactionManager} with Hibernate).
 *
 * <pre>{@code
 * @Transactional
 * public void placeOrder(Order order) {
 *   orders.save(order); // JPA
 *   outbox.append(Event.builder().type("order.placed").topic("orders").key(order.id())
 *       .source("order-service").payloadJson(order).build()); // same transaction
 * }
 * }</pre>
 *
 * <p>Never opens a connection of its own: {@code dataSource.getConnection()} inside a
 * {@code @Transactional} method would be another connection than the transaction's, and the event
 * would commit alone. Outside an actual transaction (no {@code @Transactional}, or propagation
 * {@code SUPPORTS}/{@code NOT_SUPPORTED}/{@code NEVER}), in a read-only one, or in one whose
 * transaction manager holds no connection of this data source, {@code append} refuses with {@link
 * IllegalTransactionStateException} and writes nothing.
 *
 * <p>Thread-safe; one instance per application (the auto-configured bean).
 */
public final class TransactionalOutbox {
  private final Outbox outbox;
  private final DataSource dataSource;

  /**
   * An outbox appending through the transactions of a data source.
   *
   * @param outbox Keel's outbox (lanes, limits, contracts)
   * @param dataSource the data source the application's transaction manager uses
   */
  public TransactionalOutbox(Outbox outbox, DataSource dataSource) {
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /**
   * Appends one event in the current Spring transaction.
   *
   * @param event the event
   * @return the event's id, the idempotency key downstream
   * @throws IllegalTransactionStateException when no transaction of this data source is active, or
   *     it is read-only (nothing is written)
   * @throws dev.keel.outbox.InvalidEventException when the event breaks a rule of the outbox
   * @see Outbox#append(Connection, Event)
   */
  public UUID append(Event event) {
    return inTransaction("append", c -> outbox.append(c, event));
  }

  /**
   * Appends events in one JDBC batch, in list order, in the current Spring transaction.
   *
   * @param events the events
   * @return the ids, in list order
   * @throws IllegalTransactionStateException as {@link #append(Event)}
   * @see Outbox#appendAll(Connection, List)
   */
  public List<UUID> appendAll(List<Event> events) {
    return inTransaction("appendAll", c -> outbox.appendAll(c, events));
  }

  /** The outbox this appends to (lanes, table names...). */
  public Outbox outbox() {
    return outbox;
  }

  private <T> T inTransaction(String method, Function<Connection, T> work) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalTransactionStateException(
          "TransactionalOutbox."
              + method
              + " needs an active Spring transaction (a @Transactional method or a"
              + " TransactionTemplate with a propagation that starts or joins one), so that the"
              + " event commits or rolls back with the business change; there is none on this"
              + " thread. Nothing was written.");
    }
    if (TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
      throw new IllegalTransactionStateException(
          "TransactionalOutbox." + method + " cannot write in a read-only transaction");
    }
    // The transaction manager binds its connection to the data source at begin (a
    // DataSourceTransactionManager's, or the JDBC connection a JpaTransactionManager exposes).
    if (!(TransactionSynchronizationManager.getResource(dataSource) instanceof ConnectionHolder)) {
      throw new IllegalTransactionStateException(
          "TransactionalOutbox."
              + method
              + ": the active transaction holds no connection of Keel's DataSource; its"
              + " transaction manager must manage that DataSource (DataSourceTransactionManager,"
              + " JpaTransactionManager on it). Nothing was written.");
    }
    Connection c = DataSourceUtils.getConnection(dataSource);
    try {
      return work.apply(c);
    } finally {
      DataSourceUtils.releaseConnection(c, dataSource);
    }
  }
}
