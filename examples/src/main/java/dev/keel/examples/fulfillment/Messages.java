package dev.keel.examples.fulfillment;

import java.math.BigDecimal;

/** The payloads exchanged between the services (JSON on the wire). */
public final class Messages {
  private Messages() {}

  /** {@code order.placed}: an order was placed (a fact of the orders service). */
  public record OrderPlaced(
      String orderId,
      String customer,
      String sku,
      int quantity,
      BigDecimal amount,
      String locale) {}

  /** {@code stock.reserve} and {@code stock.release}: commands to inventory. */
  public record StockRequest(String orderId, String sku, int quantity) {}

  /** {@code stock.reserved}: the reply of inventory. */
  public record StockReserved(String reservationId) {}

  /** {@code payment.authorize} and {@code payment.void}: commands to payments. */
  public record PaymentRequest(String orderId, BigDecimal amount, String card) {}

  /** {@code payment.authorized}: the reply of payments. */
  public record PaymentAuthorized(String authorizationId) {}

  /** {@code shipment.create}: the command to shipping. */
  public record ShipmentRequest(String orderId, String sku, int quantity) {}

  /** {@code shipment.created}: the reply of shipping. */
  public record ShipmentCreated(String shipmentId) {}
}
