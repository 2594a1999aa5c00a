package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The 4-step saga end to end: the happy path, and a failure at step 3 that compensates 2 and 1. */
@KeelTest
class SagaLifecycleIT {

  @Test
  void happyPathCompletesAllFourSteps(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      f.startServices();
      SagaDefinition<OrderData> def = f.definition();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      SagaOrchestrator o = f.started(f.orchestrator(def, Clock.systemUTC()).meterRegistry(meters));
      UUID id = f.start(o, def, "o-1");

      SagaView done = awaitTerminal(o, id);
      assertThat(done.state()).isEqualTo(SagaState.COMPLETED);
      assertThat(done.dataJson()).contains("auth-o-1");
      assertThat(f.effects("o-1"))
          .isEqualTo(
              Map.of(
                  "stock.reserve",
                  1,
                  "payment.authorize",
                  1,
                  "shipment.create",
                  1,
                  "order.confirm",
                  1));
      assertThat(SagaFixture.kinds(done))
          .containsSubsequence(
              "ACTION_DONE:reserve-stock",
              "ACTION_DONE:authorize-payment",
              "ACTION_DONE:create-shipment",
              "ACTION_DONE:confirm-order",
              "COMPLETED");
      assertThat(meters.get("keel.saga.started").tag("saga", SagaFixture.SAGA).counter().count())
          .isEqualTo(1);
      assertThat(meters.get("keel.saga.completed").counter().count()).isEqualTo(1);
      assertThat(meters.get("keel.saga.step.duration").timers()).isNotEmpty();
      assertThat(meters.get("keel.saga.completed").counter().getId().getDescription()).isNotBlank();
    }
  }

  @Test
  void failureAtStepThreeCompensatesTwoThenOne(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      f.script.businessFailures.add("shipment.create");
      f.startServices();
      SagaDefinition<OrderData> def = f.definition();
      SagaOrchestrator o = f.started(f.orchestrator(def, Clock.systemUTC()));
      UUID id = f.start(o, def, "o-2");

      SagaView done = awaitTerminal(o, id);
      assertThat(done.state()).isEqualTo(SagaState.COMPENSATED);
      assertThat(done.failureReason()).contains("create-shipment");
      List<String> kinds = SagaFixture.kinds(done);
      assertThat(kinds)
          .containsSubsequence(
              "ACTION_FAILED:create-shipment",
              "COMPENSATION_SENT:authorize-payment",
              "COMPENSATED:authorize-payment",
              "COMPENSATION_SENT:reserve-stock",
              "COMPENSATED:reserve-stock",
              "COMPENSATED");
      assertThat(kinds).doesNotContain("COMPENSATION_SENT:create-shipment");
      assertThat(f.effects("o-2"))
          .isEqualTo(
              Map.of(
                  "stock.reserve",
                  1,
                  "payment.authorize",
                  1,
                  "payment.void",
                  1,
                  "stock.release",
                  1));
    }
  }

  static SagaView awaitTerminal(SagaOrchestrator o, UUID id) {
    SagaAdmin admin = o.admin();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> admin.byId(id).map(v -> v.state().isTerminal()).orElse(false));
    return admin.byId(id).orElseThrow();
  }
}
