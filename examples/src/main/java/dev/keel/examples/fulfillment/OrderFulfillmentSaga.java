package dev.keel.examples.fulfillment;

import dev.keel.dlq.RetryPolicy;
import dev.keel.examples.fulfillment.Messages.PaymentAuthorized;
import dev.keel.examples.fulfillment.Messages.PaymentRequest;
import dev.keel.examples.fulfillment.Messages.ShipmentCreated;
import dev.keel.examples.fulfillment.Messages.ShipmentRequest;
import dev.keel.examples.fulfillment.Messages.StockRequest;
import dev.keel.examples.fulfillment.Messages.StockReserved;
import dev.keel.saga.FailurePolicy;
import dev.keel.saga.SagaDefinition;
import java.time.Duration;

/**
 * The order-fulfillment saga, run by the orders service: reserve stock, authorize the payment,
 * create the shipment (retried forward up to five attempts, then the earlier steps are
 * compensated). A declined payment releases the stock; missing stock ends the saga before any
 * effect. Every step has a compensation and a timeout.
 */
public final class OrderFulfillmentSaga {
  private OrderFulfillmentSaga() {}

  /** The saga's name; its outcomes are {@code order-fulfillment.completed} and so on. */
  public static final String NAME = "order-fulfillment";

  /** Builds the definition. */
  public static SagaDefinition<OrderSagaData> definition() {
    return SagaDefinition.builder(NAME, OrderSagaData.class)
        .source("orders")
        .replyTopic(Topics.SAGA_REPLIES)
        .outcomeTopic(Topics.SAGA_OUTCOMES)
        .commandKey(OrderSagaData::orderId)
        .step(
            "reserve-stock",
            s ->
                s.command(
                        Topics.INVENTORY_COMMANDS,
                        "stock.reserve",
                        d -> new StockRequest(d.orderId(), d.sku(), d.quantity()))
                    .onReply(
                        "stock.reserved",
                        StockReserved.class,
                        (d, r) -> d.withReservation(r.reservationId()))
                    .compensation(
                        Topics.INVENTORY_COMMANDS,
                        "stock.release",
                        d -> new StockRequest(d.orderId(), d.sku(), d.quantity()),
                        "stock.released")
                    .timeout(Duration.ofSeconds(30)))
        .step(
            "authorize-payment",
            s ->
                s.command(
                        Topics.PAYMENTS_COMMANDS,
                        "payment.authorize",
                        d -> new PaymentRequest(d.orderId(), d.amount(), d.card()))
                    .onReply(
                        "payment.authorized",
                        PaymentAuthorized.class,
                        (d, r) -> d.withAuthorization(r.authorizationId()))
                    .compensation(
                        Topics.PAYMENTS_COMMANDS,
                        "payment.void",
                        d -> new PaymentRequest(d.orderId(), d.amount(), d.card()),
                        "payment.voided")
                    .timeout(Duration.ofSeconds(30)))
        .step(
            "create-shipment",
            s ->
                s.command(
                        Topics.SHIPPING_COMMANDS,
                        "shipment.create",
                        d -> new ShipmentRequest(d.orderId(), d.sku(), d.quantity()))
                    .onReply(
                        "shipment.created",
                        ShipmentCreated.class,
                        (d, r) -> d.withShipment(r.shipmentId()))
                    .compensation(
                        Topics.SHIPPING_COMMANDS,
                        "shipment.cancel",
                        d -> new ShipmentRequest(d.orderId(), d.sku(), d.quantity()),
                        "shipment.cancelled")
                    .timeout(Duration.ofSeconds(60))
                    .onFailure(
                        FailurePolicy.retryForward(
                            RetryPolicy.builder()
                                .maxAttempts(5)
                                .initialDelay(Duration.ofMillis(500))
                                .build())))
        .build();
  }
}
