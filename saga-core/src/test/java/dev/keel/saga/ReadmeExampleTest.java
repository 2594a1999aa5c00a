package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.event.FailureClass;
import dev.keel.outbox.Outbox;
import dev.keel.retry.RetryPolicy;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The code of saga-core/README.md's tour, compiled and built here so that it stays true. */
class ReadmeExampleTest {
  record OrderSagaData(String orderId, long total, String authorization) {
    OrderSagaData withAuthorization(String id) {
      return new OrderSagaData(orderId, total, id);
    }
  }

  record Reserve(String orderId) {}

  record Release(String orderId) {}

  record Authorize(String orderId, long total) {}

  record Authorized(String id) {}

  record Void(String authorization) {}

  record Ship(String orderId) {}

  // Shared by the definition and the participants, e.g. in a contracts module.
  static final StepContract<Reserve, Object> RESERVE =
      StepContract.builder("inventory", "stock.reserve", Reserve.class)
          .success("stock.reserved")
          .failure("stock.unavailable")
          .build();
  static final StepContract<Release, Object> RELEASE =
      StepContract.builder("inventory", "stock.release", Release.class)
          .success("stock.released")
          .build();
  static final StepContract<Authorize, Authorized> AUTHORIZE =
      StepContract.builder("payments", "payment.authorize", Authorize.class)
          .success("payment.authorized", Authorized.class)
          .failure("payment.declined")
          .build();
  static final StepContract<Void, Object> VOID =
      StepContract.builder("payments", "payment.void", Void.class)
          .success("payment.voided")
          .build();
  static final StepContract<Ship, Object> SHIP =
      StepContract.builder("shipping", "shipment.create", Ship.class)
          .success("shipment.created")
          .failure("shipment.refused")
          .build();

  /** Stands in for the application's order table. */
  static final class Orders {
    void confirm(Connection tx, String orderId) {}
  }

  /** Stands in for the payment service's own logic. */
  static final class Cards {
    boolean hasFunds(Connection tx, Authorize a) {
      return a.total() < 1_000;
    }

    String authorize(Connection tx, Authorize a) {
      return "auth-" + a.orderId();
    }

    void voidAuthorization(Connection tx, java.util.UUID sagaId) {}
  }

  @Test
  void theTourBuilds() {
    Orders orders = new Orders();
    Cards cards = new Cards();
    Outbox outbox = Outbox.builder().build();

    SagaDefinition<OrderSagaData> orderFulfillment =
        SagaDefinition.builder("order-fulfillment", OrderSagaData.class)
            .replyTopic("order-fulfillment.replies")
            .outcomeTopic("order-fulfillment.outcomes")
            .commandKey(OrderSagaData::orderId)
            .step(
                "reserve-stock",
                s ->
                    s.command("inventory.commands", RESERVE, d -> new Reserve(d.orderId()))
                        .compensation("inventory.commands", RELEASE, d -> new Release(d.orderId()))
                        .timeout(Duration.ofSeconds(30)))
            .step(
                "authorize-payment",
                s ->
                    s.command(
                            "payments.commands",
                            AUTHORIZE,
                            d -> new Authorize(d.orderId(), d.total()),
                            (d, r) -> d.withAuthorization(r.id()))
                        .compensation("payments.commands", VOID, d -> new Void(d.authorization()))
                        .pivot())
            .step(
                "create-shipment",
                s ->
                    s.command("shipping.commands", SHIP, d -> new Ship(d.orderId()))
                        .noCompensation()
                        .onFailure(
                            FailurePolicy.retryForward(
                                RetryPolicy.builder().maxAttempts(10).build())))
            .step(
                "confirm-order",
                s ->
                    s.local(
                            (tx, d) -> {
                              orders.confirm(tx, d.orderId());
                              return d;
                            })
                        .noCompensation()
                        .onFailure(FailurePolicy.retryForward(RetryPolicy.defaults())))
            .build();

    SagaOrchestrator sagas =
        SagaOrchestrator.builder()
            .dataSource(new org.h2.jdbcx.JdbcDataSource())
            .outbox(outbox)
            .consumerProperties(
                Map.of("bootstrap.servers", "localhost:9092", "auto.offset.reset", "earliest"))
            .definition(orderFulfillment)
            .build();

    SagaParticipant payments =
        SagaParticipant.builder()
            .group("payments")
            .outbox(outbox)
            .replyTopicOf(orderFulfillment)
            .onCommand(
                "payments.commands",
                AUTHORIZE,
                cmd -> {
                  if (!cards.hasFunds(cmd.connection(), cmd.payload())) {
                    throw AUTHORIZE.failure(
                        "payment.declined", FailureClass.BUSINESS, "insufficient funds");
                  }
                  return new Authorized(cards.authorize(cmd.connection(), cmd.payload()));
                })
            .onCompensate(
                "payments.commands",
                VOID,
                cmd -> {
                  cards.voidAuthorization(cmd.connection(), cmd.sagaId());
                  return null;
                })
            .build();
    ConsumerRuntime.Builder runtimeBuilder = ConsumerRuntime.builder();
    payments.listeners().forEach(runtimeBuilder::listener);

    assertThat(orderFulfillment.pivotIndex()).isEqualTo(1);
    assertThat(payments.listeners()).hasSize(2);
    sagas.close();
  }
}
