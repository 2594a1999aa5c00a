package dev.keel.examples.fulfillment.shipping;

import dev.keel.examples.fulfillment.Messages.ShipmentCreated;
import dev.keel.examples.fulfillment.Messages.ShipmentRequest;
import dev.keel.examples.fulfillment.SagaContracts;
import dev.keel.examples.fulfillment.Sql;
import dev.keel.examples.fulfillment.Topics;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaParticipant;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The shipping service, a saga participant: creates a shipment ({@code shipment.create}) and
 * cancels it ({@code shipment.cancel}).
 */
public final class ShippingService {
  /** Its consumer group. */
  public static final String GROUP = "shipping";

  private ShippingService() {}

  /** Creates the service's table. */
  public static void install(DataSource ds) throws SQLException {
    Sql.ddl(
        ds,
        "CREATE TABLE shipping_shipment (order_id VARCHAR(64) PRIMARY KEY,"
            + " sku VARCHAR(64) NOT NULL, quantity INT NOT NULL)");
  }

  /** The participant: its listeners go into the shipping consumer runtime. */
  public static SagaParticipant participant(Outbox outbox) {
    return SagaParticipant.builder()
        .group(GROUP)
        .source("shipping")
        .outbox(outbox)
        .replyTopics(Topics.SAGA_REPLIES)
        .onCommand(
            Topics.SHIPPING_COMMANDS,
            SagaContracts.CREATE_SHIPMENT,
            cmd -> {
              ShipmentRequest s = cmd.payload();
              Sql.update(
                  cmd.connection(),
                  "INSERT INTO shipping_shipment VALUES (?, ?, ?)",
                  s.orderId(),
                  s.sku(),
                  s.quantity());
              return new ShipmentCreated("ship-" + s.orderId());
            })
        .onCompensate(
            Topics.SHIPPING_COMMANDS,
            SagaContracts.CANCEL_SHIPMENT,
            cmd -> {
              Sql.update(
                  cmd.connection(),
                  "DELETE FROM shipping_shipment WHERE order_id = ?",
                  cmd.payload().orderId());
              return null;
            })
        .build();
  }
}
