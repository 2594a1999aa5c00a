package dev.keel.examples.fulfillment.payments;

import dev.keel.event.FailureClass;
import dev.keel.examples.fulfillment.Messages.PaymentAuthorized;
import dev.keel.examples.fulfillment.Messages.PaymentRequest;
import dev.keel.examples.fulfillment.SagaContracts;
import dev.keel.examples.fulfillment.Sql;
import dev.keel.examples.fulfillment.Topics;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaParticipant;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The payments service, a saga participant: authorizes a payment ({@code payment.authorize}) or
 * replies {@code payment.declined} for cards whose reference starts with {@code declined}, and
 * voids an authorization ({@code payment.void}).
 */
public final class PaymentsService {
  /** Its consumer group. */
  public static final String GROUP = "payments";

  private PaymentsService() {}

  /** Creates the service's table. */
  public static void install(DataSource ds) throws SQLException {
    Sql.ddl(
        ds,
        "CREATE TABLE payments_authorization (order_id VARCHAR(64) PRIMARY KEY,"
            + " amount NUMERIC(12,2) NOT NULL, state VARCHAR(16) NOT NULL)");
  }

  /** The participant: its listeners go into the payments consumer runtime. */
  public static SagaParticipant participant(Outbox outbox) {
    return SagaParticipant.builder()
        .group(GROUP)
        .source("payments")
        .outbox(outbox)
        .replyTopics(Topics.SAGA_REPLIES)
        .onCommand(
            Topics.PAYMENTS_COMMANDS,
            SagaContracts.AUTHORIZE_PAYMENT,
            cmd -> {
              PaymentRequest p = cmd.payload();
              if (p.card().startsWith("declined")) {
                throw SagaContracts.AUTHORIZE_PAYMENT.failure(
                    "payment.declined", FailureClass.BUSINESS, "card declined");
              }
              Sql.update(
                  cmd.connection(),
                  "INSERT INTO payments_authorization VALUES (?, ?, 'AUTHORIZED')",
                  p.orderId(),
                  p.amount());
              return new PaymentAuthorized("auth-" + p.orderId());
            })
        .onCompensate(
            Topics.PAYMENTS_COMMANDS,
            SagaContracts.VOID_PAYMENT,
            cmd -> {
              Sql.update(
                  cmd.connection(),
                  "UPDATE payments_authorization SET state = 'VOIDED' WHERE order_id = ?",
                  cmd.payload().orderId());
              return null;
            })
        .build();
  }
}
