package dev.keel.examples.fulfillment.orders;

import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.Event;
import dev.keel.event.json.JsonCodec;
import dev.keel.examples.fulfillment.Messages.OrderPlaced;
import dev.keel.examples.fulfillment.OrderSagaData;
import dev.keel.examples.fulfillment.Sql;
import dev.keel.examples.fulfillment.Topics;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaOrchestrator;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The orders service: owns {@code orders_order} and the fact {@code order.placed}. Placing an order
 * writes the order, appends {@code order.placed} to the outbox and starts the fulfillment saga, all
 * in one transaction. The saga's outcome sets the order's final state.
 */
public final class OrdersService {
  /** The consumer group that applies saga outcomes to orders. */
  public static final String OUTCOME_GROUP = "orders-outcomes";

  private final DataSource ds;
  private final Outbox outbox;
  private final SagaOrchestrator sagas;
  private final SagaDefinition<OrderSagaData> saga;
  private final JsonCodec json = JsonCodec.create();

  /**
   * Creates the service.
   *
   * @param ds its database
   * @param outbox the outbox its events go through
   * @param sagas the orchestrator that runs its sagas
   * @param saga the fulfillment saga definition, registered with the orchestrator
   */
  public OrdersService(
      DataSource ds, Outbox outbox, SagaOrchestrator sagas, SagaDefinition<OrderSagaData> saga) {
    this.ds = ds;
    this.outbox = outbox;
    this.sagas = sagas;
    this.saga = saga;
  }

  /** Creates the service's table. */
  public static void install(DataSource ds) throws SQLException {
    Sql.ddl(
        ds,
        "CREATE TABLE orders_order (id VARCHAR(64) PRIMARY KEY, customer VARCHAR(64) NOT NULL,"
            + " sku VARCHAR(64) NOT NULL, quantity INT NOT NULL, amount NUMERIC(12,2) NOT NULL,"
            + " card VARCHAR(64) NOT NULL, locale VARCHAR(8) NOT NULL, state VARCHAR(32) NOT NULL,"
            + " saga_id VARCHAR(36), placed_event_id VARCHAR(36))");
  }

  /**
   * Places an order: the order row, {@code order.placed} and the saga start commit together.
   *
   * @return the {@code order.placed} event as appended (its id is the idempotency key downstream)
   */
  public Event place(
      String orderId,
      String customer,
      String sku,
      int quantity,
      BigDecimal amount,
      String card,
      String locale)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        Sql.update(
            c,
            "INSERT INTO orders_order (id, customer, sku, quantity, amount, card, locale, state)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, 'PLACED')",
            orderId,
            customer,
            sku,
            quantity,
            amount,
            card,
            locale);
        Event placed =
            Event.builder()
                .type("order.placed")
                .topic(Topics.ORDERS)
                .key(orderId)
                .source("orders")
                .payload(
                    json.encode(new OrderPlaced(orderId, customer, sku, quantity, amount, locale)))
                .build();
        outbox.append(c, placed);
        UUID sagaId = sagas.start(c, saga, OrderSagaData.of(orderId, sku, quantity, amount, card));
        Sql.update(
            c,
            "UPDATE orders_order SET saga_id = ?, placed_event_id = ? WHERE id = ?",
            sagaId.toString(),
            placed.id().toString(),
            orderId);
        c.commit();
        return placed;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Applies the saga outcomes ({@code order-fulfillment.completed}, ...) to the orders. */
  public ListenerDefinition outcomeListener() {
    return ListenerDefinition.builder()
        .name("orders-on-saga-outcome")
        .topic(Topics.SAGA_OUTCOMES)
        .group(OUTCOME_GROUP)
        .handler(
            d -> {
              Map<?, ?> outcome = json.decode(d.event().payload(), Map.class);
              Sql.update(
                  d.connection(),
                  "UPDATE orders_order SET state = ? WHERE saga_id = ?",
                  String.valueOf(outcome.get("state")),
                  String.valueOf(outcome.get("sagaId")));
            })
        .build();
  }
}
