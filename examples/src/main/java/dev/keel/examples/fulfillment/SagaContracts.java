package dev.keel.examples.fulfillment;

import dev.keel.examples.fulfillment.Messages.PaymentAuthorized;
import dev.keel.examples.fulfillment.Messages.PaymentRequest;
import dev.keel.examples.fulfillment.Messages.ShipmentCreated;
import dev.keel.examples.fulfillment.Messages.ShipmentRequest;
import dev.keel.examples.fulfillment.Messages.StockRequest;
import dev.keel.examples.fulfillment.Messages.StockReserved;
import dev.keel.saga.StepContract;

/**
 * The commands of the order-fulfillment saga and their replies, written once and shared by the saga
 * definition (orders) and the participants (inventory, payments, shipping).
 */
public final class SagaContracts {
  private SagaContracts() {}

  /** Inventory reserves stock, or rejects the reservation. */
  public static final StepContract<StockRequest, StockReserved> RESERVE_STOCK =
      StepContract.builder("inventory", "stock.reserve", StockRequest.class)
          .success("stock.reserved", StockReserved.class)
          .failure("stock.reservation-rejected")
          .build();

  /** Inventory releases a reservation. */
  public static final StepContract<StockRequest, Object> RELEASE_STOCK =
      StepContract.builder("inventory", "stock.release", StockRequest.class)
          .success("stock.released")
          .build();

  /** Payments authorizes a payment, or declines it. */
  public static final StepContract<PaymentRequest, PaymentAuthorized> AUTHORIZE_PAYMENT =
      StepContract.builder("payments", "payment.authorize", PaymentRequest.class)
          .success("payment.authorized", PaymentAuthorized.class)
          .failure("payment.declined")
          .build();

  /** Payments voids an authorization. */
  public static final StepContract<PaymentRequest, Object> VOID_PAYMENT =
      StepContract.builder("payments", "payment.void", PaymentRequest.class)
          .success("payment.voided")
          .build();

  /** Shipping creates a shipment. */
  public static final StepContract<ShipmentRequest, ShipmentCreated> CREATE_SHIPMENT =
      StepContract.builder("shipping", "shipment.create", ShipmentRequest.class)
          .success("shipment.created", ShipmentCreated.class)
          .build();

  /** Shipping cancels a shipment. */
  public static final StepContract<ShipmentRequest, Object> CANCEL_SHIPMENT =
      StepContract.builder("shipping", "shipment.cancel", ShipmentRequest.class)
          .success("shipment.cancelled")
          .build();
}
