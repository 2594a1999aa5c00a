package dev.keel.examples.boot;

/**
 * The {@code order.placed} fact, appended to the outbox with the order.
 *
 * @param orderId the order
 * @param customer the customer's name
 * @param sku what was ordered
 * @param quantity how many
 * @param locale the customer's locale, for the notification
 */
public record OrderPlaced(
    String orderId, String customer, String sku, int quantity, String locale) {
  /** The topic of the order facts, keyed by order id. */
  public static final String TOPIC = "orders";

  /** The event type. */
  public static final String TYPE = "order.placed";
}
