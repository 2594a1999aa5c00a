package dev.keel.examples.fulfillment;

import dev.keel.examples.fulfillment.Messages.PaymentRequest;
import dev.keel.examples.fulfillment.Messages.ShipmentRequest;
import dev.keel.examples.fulfillment.Messages.StockRequest;
import dev.keel.retry.RetryPolicy;
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
                        SagaContracts.RESERVE_STOCK,
                        d -> new StockRequest(d.orderId(), d.sku(), d.quantity()),
                        (d, r) -> d.withReservation(r.reservationId()))
                    .compensation(
                        Topics.INVENTORY_COMMANDS,
                        SagaContracts.RELEASE_STOCK,
                        d -> new StockRequest(d.orderId(), d.sku(), d.quantity()))
                    .timeout(Duration.ofSeconds(30)))
        .step(
            "authorize-payment",
            s ->
                s.command(
                        Topics.PAYMENTS_COMMANDS,
                        SagaContracts.AUTHORIZE_PAYMENT,
                        d -> new PaymentRequest(d.orderId(), d.amount(), d.card()),
                        (d, r) -> d.withAuthorization(r.authorizationId()))
                    .compensation(
                        Topics.PAYMENTS_COMMANDS,
                        SagaContracts.VOID_PAYMENT,
                        d -> new PaymentRequest(d.orderId(), d.amount(), d.card()))
                    .timeout(Duration.ofSeconds(30)))
        .step(
            "create-shipment",
            s ->
                s.command(
                        Topics.SHIPPING_COMMANDS,
                        SagaContracts.CREATE_SHIPMENT,
                        d -> new ShipmentRequest(d.orderId(), d.sku(), d.quantity()),
                        (d, r) -> d.withShipment(r.shipmentId()))
                    .compensation(
                        Topics.SHIPPING_COMMANDS,
                        SagaContracts.CANCEL_SHIPMENT,
                        d -> new ShipmentRequest(d.orderId(), d.sku(), d.quantity()))
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
