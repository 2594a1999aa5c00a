package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.retry.RetryPolicy;
import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Two orchestrator instances share the replies and the deadlines; no step runs twice. */
@KeelTest
class TwoOrchestratorsIT {

  @Test
  void twoInstancesShareTheLoadWithoutRunningAStepTwice(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      f.startServices();
      FailurePolicy retry =
          FailurePolicy.retryForward(
              RetryPolicy.builder()
                  .maxAttempts(3)
                  .initialDelay(Duration.ofMillis(20))
                  .maxDelay(Duration.ofMillis(50))
                  .build());
      SagaDefinition<OrderData> def = f.definition(retry, f.payments);
      SimpleMeterRegistry m1 = new SimpleMeterRegistry();
      SimpleMeterRegistry m2 = new SimpleMeterRegistry();
      SagaOrchestrator a = f.started(f.orchestrator(def, Clock.systemUTC()).meterRegistry(m1));
      SagaOrchestrator b = f.started(f.orchestrator(def, Clock.systemUTC()).meterRegistry(m2));
      SagaAdmin admin = a.admin();
      List<UUID> ids = new ArrayList<>();
      Map<UUID, String> orders = new HashMap<>();
      // Waves of sagas until the group has spread the reply partitions over both instances.
      long until = System.nanoTime() + Duration.ofSeconds(45).toNanos();
      for (int wave = 0;
          wave < 2 || ((steps(m1) == 0 || steps(m2) == 0) && System.nanoTime() < until);
          wave++) {
        for (int i = 0; i < 10; i++) {
          String order = "w" + wave + "-o-" + i;
          if (i % 5 == 0) {
            f.script.failingOrders.add(order); // compensates
          } else if (i % 5 == 1) {
            f.script.failOnce.add(order); // one transient failure, retried from a deadline
          }
          UUID id = f.start(i % 2 == 0 ? a : b, def, order);
          ids.add(id);
          orders.put(id, order);
        }
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () ->
                    admin.byState(SagaState.COMPLETED, 10_000).size()
                            + admin.byState(SagaState.COMPENSATED, 10_000).size()
                        == ids.size());
      }
      for (UUID id : ids) {
        SagaView v = admin.byId(id).orElseThrow();
        boolean failing = f.script.failingOrders.contains(orders.get(id));
        assertThat(v.state()).isEqualTo(failing ? SagaState.COMPENSATED : SagaState.COMPLETED);
        Map<String, Long> done = new HashMap<>();
        v.log().stream()
            .filter(e -> e.kind() == StepLogKind.ACTION_DONE || e.kind() == StepLogKind.COMPENSATED)
            .filter(e -> e.step() != null)
            .forEach(e -> done.merge(e.kind() + ":" + e.step(), 1L, Long::sum));
        assertThat(done.values()).as("step log of %s", id).allMatch(n -> n == 1);
      }
      assertThat(f.maxEffectCount()).as("no participant effect applied twice").isEqualTo(1);
      assertThat(steps(m1)).as("instance 1 advanced steps").isPositive();
      assertThat(steps(m2)).as("instance 2 advanced steps").isPositive();
    }
  }

  private static long steps(SimpleMeterRegistry registry) {
    return registry.find("keel.saga.step.duration").timers().stream().mapToLong(Timer::count).sum();
  }
}
