package dev.keel.examples.fulfillment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.advisor.Advisor;
import dev.keel.advisor.Topology;
import dev.keel.advisor.TopologyYaml;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaView;
import dev.keel.saga.StepLogEntry;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The README's main command: the scripted scenario, checked against the database (never against the
 * printout), and the advisor's review of the system's topology.
 */
@KeelTest
class OrderFulfillmentIT {

  @Test
  void everyOrderEndsAsPlannedAndTheDatabaseAgrees(KafkaBroker kafka, IsolatedDatabase db)
      throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Scenario.Result result;
    try (FulfillmentSystem system =
        FulfillmentSystem.start(
            kafka.clientProperties(), db.dataSource(), new SimpleMeterRegistry())) {
      result =
          new Scenario(
                  system,
                  kafka.clientProperties(),
                  new PrintStream(printed, true, StandardCharsets.UTF_8))
              .run();
      assertThat(result.problems()).isEmpty();
      DataSource ds = db.dataSource();

      // Saga end states, read from the saga store.
      assertThat(saga(system, ds, "o-1001").state()).isEqualTo(SagaState.COMPLETED);
      assertThat(saga(system, ds, "o-1002").state()).isEqualTo(SagaState.COMPENSATED);
      assertThat(saga(system, ds, "o-1003").state()).isEqualTo(SagaState.COMPENSATED);
      for (String o : List.of("o-1004", "o-1005", "o-1006")) {
        assertThat(saga(system, ds, o).state()).as(o).isEqualTo(SagaState.COMPLETED);
      }

      // Each effect applied once, and undone where the saga compensated.
      assertThat(Sql.column(ds, "SELECT order_id FROM shipping_shipment ORDER BY order_id"))
          .containsExactly("o-1001", "o-1004", "o-1005", "o-1006");
      assertThat(
              Sql.column(
                  ds,
                  "SELECT order_id || ':' || state FROM payments_authorization ORDER BY order_id"))
          .containsExactly(
              "o-1001:AUTHORIZED", "o-1004:AUTHORIZED", "o-1005:AUTHORIZED", "o-1006:AUTHORIZED");
      assertThat(
              Sql.column(
                  ds,
                  "SELECT order_id || ':' || state FROM inventory_reservation ORDER BY order_id"))
          .containsExactly(
              "o-1001:RESERVED",
              "o-1002:RELEASED",
              "o-1004:RESERVED",
              "o-1005:RESERVED",
              "o-1006:RESERVED");
      // 100 kayaks - o-1001, o-1004, o-1006; 100 paddles - o-1005 (o-1002's two came back).
      assertThat(Sql.column(ds, "SELECT sku || ':' || available FROM inventory_stock ORDER BY sku"))
          .containsExactly("compass:0", "kayak:97", "paddle:99");

      // o-1002: the declined payment compensated the reservation, after the decline.
      List<String> log =
          saga(system, ds, "o-1002").log().stream().map(StepLogEntry::toString).toList();
      assertThat(String.join("\n", log)).contains("reserve-stock").contains("authorize-payment");

      // Notifications: one per fact despite the four extra deliveries; o-1004 after its replay.
      assertThat(
              Sql.count(
                  ds, "SELECT COUNT(*) FROM notifications_message WHERE kind = 'order.placed'"))
          .isEqualTo(6);
      assertThat(
              Sql.count(
                  ds,
                  "SELECT COUNT(DISTINCT event_id) FROM notifications_message"
                      + " WHERE kind = 'order.placed'"))
          .isEqualTo(6);
      assertThat(
              Sql.value(
                  ds,
                  "SELECT body FROM notifications_message"
                      + " WHERE order_id = 'o-1004' AND kind = 'order.placed'"))
          .startsWith("Merci");
      List<DeadLetter> dead = system.deadLetters().list(DeadLetterQuery.all());
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).status()).isEqualTo(DeadLetterStatus.REPLAYED);
      assertThat(dead.get(0).keyText()).isEqualTo("o-1004");
    }
    assertThat(result.orders()).hasSize(6);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("o-1004: notification dead-lettered");
  }

  @Test
  void theSystemsTopologyReviewsClean() throws Exception {
    Topology topology;
    try (Reader r =
        new InputStreamReader(
            getClass().getResourceAsStream("/order-fulfillment/topology.yaml"),
            StandardCharsets.UTF_8)) {
      topology = TopologyYaml.read("order-fulfillment/topology.yaml", r);
    }
    assertThat(Advisor.create().review(topology).findings()).isEmpty();
  }

  private static SagaView saga(FulfillmentSystem system, DataSource ds, String orderId)
      throws Exception {
    String id = Sql.value(ds, "SELECT saga_id FROM orders_order WHERE id = ?", orderId);
    return system.orchestrator().admin().byId(UUID.fromString(id)).orElseThrow();
  }
}
