package dev.keel.examples.fulfillment.inventory;

import dev.keel.event.FailureClass;
import dev.keel.examples.fulfillment.Messages.StockRequest;
import dev.keel.examples.fulfillment.Messages.StockReserved;
import dev.keel.examples.fulfillment.SagaContracts;
import dev.keel.examples.fulfillment.Sql;
import dev.keel.examples.fulfillment.Topics;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaParticipant;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The inventory service, a saga participant: reserves stock ({@code stock.reserve}) or replies
 * {@code stock.reservation-rejected}, and releases a reservation ({@code stock.release}).
 */
public final class InventoryService {
  /** Its consumer group. */
  public static final String GROUP = "inventory";

  private InventoryService() {}

  /** Creates the service's tables and stocks the articles. */
  public static void install(DataSource ds) throws SQLException {
    Sql.ddl(
        ds,
        "CREATE TABLE inventory_stock (sku VARCHAR(64) PRIMARY KEY, available INT NOT NULL)",
        "CREATE TABLE inventory_reservation (order_id VARCHAR(64) PRIMARY KEY,"
            + " sku VARCHAR(64) NOT NULL, quantity INT NOT NULL, state VARCHAR(16) NOT NULL)",
        "INSERT INTO inventory_stock VALUES ('kayak', 100), ('paddle', 100), ('compass', 0)");
  }

  /** The participant: its listeners go into the inventory consumer runtime. */
  public static SagaParticipant participant(Outbox outbox) {
    return SagaParticipant.builder()
        .group(GROUP)
        .source("inventory")
        .outbox(outbox)
        .replyTopics(Topics.SAGA_REPLIES)
        .onCommand(
            Topics.INVENTORY_COMMANDS,
            SagaContracts.RESERVE_STOCK,
            cmd -> {
              StockRequest r = cmd.payload();
              int taken =
                  Sql.update(
                      cmd.connection(),
                      "UPDATE inventory_stock SET available = available - ?"
                          + " WHERE sku = ? AND available >= ?",
                      r.quantity(),
                      r.sku(),
                      r.quantity());
              if (taken == 0) {
                throw SagaContracts.RESERVE_STOCK.failure(
                    "stock.reservation-rejected",
                    FailureClass.BUSINESS,
                    "out of stock: " + r.sku());
              }
              Sql.update(
                  cmd.connection(),
                  "INSERT INTO inventory_reservation VALUES (?, ?, ?, 'RESERVED')",
                  r.orderId(),
                  r.sku(),
                  r.quantity());
              return new StockReserved("res-" + r.orderId());
            })
        .onCompensate(
            Topics.INVENTORY_COMMANDS,
            SagaContracts.RELEASE_STOCK,
            cmd -> {
              StockRequest r = cmd.payload();
              int released =
                  Sql.update(
                      cmd.connection(),
                      "UPDATE inventory_reservation SET state = 'RELEASED'"
                          + " WHERE order_id = ? AND state = 'RESERVED'",
                      r.orderId());
              if (released == 1) {
                Sql.update(
                    cmd.connection(),
                    "UPDATE inventory_stock SET available = available + ? WHERE sku = ?",
                    r.quantity(),
                    r.sku());
              }
              return null;
            })
        .build();
  }
}
