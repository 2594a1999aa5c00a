package dev.keel.saga;

import static dev.keel.saga.SagaLifecycleIT.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.retry.RetryPolicy;
import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.saga.testing.SagaTestClock;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Step timeouts as database deadlines, and retry-forward with a dlq-core RetryPolicy. */
@KeelTest
class SagaTimeoutAndRetryIT {

  @Test
  void timeoutAtStepTwoCompensatesUnderTheTestClock(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      f.startServices();
      // Nobody consumes step 2's command topic: its reply never comes.
      String silent = topics.create("silent", 1);
      SagaDefinition<OrderData> def = f.definition(FailurePolicy.compensate(), silent);
      SagaTestClock clock = SagaTestClock.at(TestTime.start());
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      SagaOrchestrator o =
          f.started(
              f.orchestrator(def, clock)
                  .scanInterval(Duration.ofHours(1))
                  .stuckThreshold(Duration.ofSeconds(20))
                  .meterRegistry(meters));
      UUID id = f.start(o, def, "o-t");
      SagaAdmin admin = o.admin();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "authorize-payment".equals(admin.byId(id).orElseThrow().step()));
      assertThat(o.scanDeadlinesNow()).as("nothing is due before the timeout").isZero();

      clock.advance(Duration.ofSeconds(31));
      assertThat(admin.stuck(Duration.ofSeconds(20), 10))
          .extracting(SagaView::id)
          .containsExactly(id);
      assertThat(admin.stuck(Duration.ofMinutes(1), 10)).isEmpty();
      assertThat(o.scanDeadlinesNow()).isEqualTo(1);
      assertThat(meters.get("keel.saga.stuck").gauge().value())
          .as("the timeout is no progress: still stuck right after the scan")
          .isEqualTo(1.0);
      // Compensations go out; their replies are applied by the reply consumer.
      SagaView done = awaitTerminal(o, id);
      assertThat(done.state()).isEqualTo(SagaState.COMPENSATED);
      assertThat(SagaFixture.kinds(done))
          .containsSubsequence(
              "TIMED_OUT:authorize-payment",
              "COMPENSATION_SENT:authorize-payment",
              "COMPENSATED:authorize-payment",
              "COMPENSATED:reserve-stock",
              "COMPENSATED");
      // The payment action never arrived, so its compensation was empty.
      assertThat(f.effects("o-t")).isEqualTo(Map.of("stock.reserve", 1, "stock.release", 1));
      // The saga meters after a forced garbage collection: no gauge reads NaN.
      java.lang.ref.WeakReference<Object> sentinel =
          new java.lang.ref.WeakReference<>(new Object());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                System.gc();
                return sentinel.get() == null;
              });
      assertThat(meters.get("keel.saga.stuck").gauge().value()).isEqualTo(1.0);
      assertThat(meters.get("keel.saga.started").tag("saga", def.name()).counter().count())
          .isEqualTo(1);
      assertThat(meters.get("keel.saga.compensated").tag("saga", def.name()).counter().count())
          .isEqualTo(1);
    }
  }

  @Test
  void retryForwardSucceedsOnTheThirdAttempt(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      f.script.transientFailures.put("shipment.create", new AtomicInteger(2));
      f.startServices();
      FailurePolicy retry =
          FailurePolicy.retryForward(
              RetryPolicy.builder()
                  .maxAttempts(3)
                  .initialDelay(Duration.ofMillis(50))
                  .maxDelay(Duration.ofMillis(100))
                  .build());
      SagaDefinition<OrderData> def = f.definition(retry, f.payments);
      SagaOrchestrator o = f.started(f.orchestrator(def, Clock.systemUTC()));
      UUID id = f.start(o, def, "o-r");

      SagaView done = awaitTerminal(o, id);
      assertThat(done.state()).isEqualTo(SagaState.COMPLETED);
      assertThat(
              done.log().stream()
                  .filter(e -> e.kind() == StepLogKind.RETRY_SCHEDULED)
                  .map(StepLogEntry::attempt))
          .as("log %s", done.log())
          .hasSize(2);
      assertThat(
              done.log().stream()
                  .filter(e -> e.kind() == StepLogKind.RETRY_SCHEDULED)
                  .map(StepLogEntry::attempt))
          .containsExactly(2, 3);
      assertThat(
              done.log().stream()
                  .filter(
                      e ->
                          e.kind() == StepLogKind.ACTION_DONE && e.step().equals("create-shipment"))
                  .map(StepLogEntry::attempt))
          .containsExactly(3);
      assertThat(f.effects("o-r")).containsEntry("shipment.create", 1);
    }
  }
}
