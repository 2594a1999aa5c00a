package dev.keel.examples.fulfillment;

import java.math.BigDecimal;

/**
 * The data of one order-fulfillment saga, stored as JSON with the saga and updated by the replies.
 *
 * @param orderId the order
 * @param sku the article
 * @param quantity how many
 * @param amount the price to authorize
 * @param card the payment card reference
 * @param reservationId set by {@code stock.reserved}
 * @param authorizationId set by {@code payment.authorized}
 * @param shipmentId set by {@code shipment.created}
 */
public record OrderSagaData(
    String orderId,
    String sku,
    int quantity,
    BigDecimal amount,
    String card,
    String reservationId,
    String authorizationId,
    String shipmentId) {

  /** The data of a saga just started for an order. */
  public static OrderSagaData of(
      String orderId, String sku, int quantity, BigDecimal amount, String card) {
    return new OrderSagaData(orderId, sku, quantity, amount, card, null, null, null);
  }

  OrderSagaData withReservation(String id) {
    return new OrderSagaData(orderId, sku, quantity, amount, card, id, authorizationId, shipmentId);
  }

  OrderSagaData withAuthorization(String id) {
    return new OrderSagaData(orderId, sku, quantity, amount, card, reservationId, id, shipmentId);
  }

  OrderSagaData withShipment(String id) {
    return new OrderSagaData(
        orderId, sku, quantity, amount, card, reservationId, authorizationId, id);
  }
}
