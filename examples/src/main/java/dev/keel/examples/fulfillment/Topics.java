package dev.keel.examples.fulfillment;

import java.util.List;

/** The topics of the order-fulfillment system; each has a {@code .dlq} twin. */
public final class Topics {
  private Topics() {}

  /** Facts of the orders service: {@code order.placed}. */
  public static final String ORDERS = "orders";

  /** Commands to the inventory service. */
  public static final String INVENTORY_COMMANDS = "inventory.commands";

  /** Commands to the payments service. */
  public static final String PAYMENTS_COMMANDS = "payments.commands";

  /** Commands to the shipping service. */
  public static final String SHIPPING_COMMANDS = "shipping.commands";

  /** Replies of the participants to the orchestrator. */
  public static final String SAGA_REPLIES = "order-fulfillment.replies";

  /** Saga outcomes: {@code order-fulfillment.completed}, {@code .compensated}, ... */
  public static final String SAGA_OUTCOMES = "order-fulfillment.outcomes";

  /** Every topic the system uses, without the dead-letter topics. */
  public static final List<String> ALL =
      List.of(
          ORDERS,
          INVENTORY_COMMANDS,
          PAYMENTS_COMMANDS,
          SHIPPING_COMMANDS,
          SAGA_REPLIES,
          SAGA_OUTCOMES);

  /** Partitions of every topic (and of its dead-letter topic). */
  public static final int PARTITIONS = 3;
}
