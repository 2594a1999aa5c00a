package dev.keel.examples.boot;

import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.saga.SagaDefinition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The order's fulfillment saga: reserve stock, then authorize the payment. Both steps are local
 * (they run in the orchestrator's transaction, here the request's): a declined card fails the
 * second step and the reservation is released, in reverse order; the order ends {@code CONFIRMED}
 * or {@code CANCELLED}.
 */
final class FulfillmentSaga {
  private FulfillmentSaga() {}

  /**
   * The saga's data.
   *
   * @param orderId the order
   * @param sku what to reserve
   * @param quantity how many
   * @param card the card to authorize; one starting with {@code declined} is declined
   */
  record Data(String orderId, String sku, int quantity, String card) {}

  static final SagaDefinition<Data> DEFINITION =
      SagaDefinition.builder("order-fulfillment", Data.class)
          .step(
              "reserve-stock",
              s -> s.local(FulfillmentSaga::reserve).localCompensation(FulfillmentSaga::release))
          .step("authorize-payment", s -> s.local(FulfillmentSaga::authorize).noCompensation())
          .build();

  private static Data reserve(Connection tx, Data d) throws SQLException {
    if (update(
            tx,
            "UPDATE stock SET available = available - ? WHERE sku = ? AND available >= ?",
            d.quantity(),
            d.sku(),
            d.quantity())
        == 0) {
      throw new NonRetriableKeelException(FailureClass.BUSINESS, "out of stock: " + d.sku());
    }
    update(
        tx,
        "INSERT INTO stock_reservation (order_id, sku, quantity, status) VALUES (?, ?, ?, 'RESERVED')",
        d.orderId(),
        d.sku(),
        d.quantity());
    return d;
  }

  private static Data release(Connection tx, Data d) throws SQLException {
    // Runs once per reservation: the saga records the compensation in the same transaction.
    update(tx, "UPDATE stock SET available = available + ? WHERE sku = ?", d.quantity(), d.sku());
    update(tx, "UPDATE stock_reservation SET status = 'RELEASED' WHERE order_id = ?", d.orderId());
    update(tx, "UPDATE orders SET status = 'CANCELLED' WHERE id = ?", d.orderId());
    return d;
  }

  private static Data authorize(Connection tx, Data d) throws SQLException {
    if (d.card().startsWith("declined")) {
      throw new NonRetriableKeelException(FailureClass.BUSINESS, "card declined");
    }
    update(
        tx,
        "INSERT INTO payment (order_id, card, status) VALUES (?, ?, 'AUTHORIZED')",
        d.orderId(),
        d.card());
    update(tx, "UPDATE orders SET status = 'CONFIRMED' WHERE id = ?", d.orderId());
    return d;
  }

  private static int update(Connection tx, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = tx.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return ps.executeUpdate();
    }
  }
}
