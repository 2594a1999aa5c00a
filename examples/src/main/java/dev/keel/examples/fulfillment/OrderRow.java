package dev.keel.examples.fulfillment;

/**
 * What happened to one order, read from the services' tables and the saga store (never from what
 * the scenario printed).
 *
 * @param orderId the order
 * @param scenario what the script did with it
 * @param sagaState the saga's terminal state (or its current one)
 * @param orderState the order's state in the orders service
 * @param stock the reservation in inventory, or "-"
 * @param payment the authorization in payments, or "-"
 * @param shipment "created" when shipping has the shipment, or "-"
 * @param notifications how many messages notifications wrote for it
 * @param notes what the run observed on the way (dead letters, duplicates, restarts)
 */
public record OrderRow(
    String orderId,
    String scenario,
    String sagaState,
    String orderState,
    String stock,
    String payment,
    String shipment,
    long notifications,
    String notes) {}
