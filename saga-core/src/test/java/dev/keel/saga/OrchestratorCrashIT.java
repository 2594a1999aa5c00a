package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator process is killed (halt: no close, no rollback call, no offset commit) at each
 * step boundary in turn, and a successor instance takes over: every saga reaches exactly one
 * terminal state, and every participant action and compensation is applied at most once.
 */
@KeelTest
class OrchestratorCrashIT {
  /** A dead member's partitions move after 6 s (the broker's minimum) instead of 45 s. */
  static final Map<String, Object> FAST_HANDOVER =
      Map.of("session.timeout.ms", 6000, "heartbeat.interval.ms", 1000);

  private static final String[][] CRASH_POINTS = {
    {"reserve-stock", "before"},
    {"authorize-payment", "before"},
    {"create-shipment", "before"},
    {"confirm-order", "before"},
    {"authorize-payment", "after"},
    {"authorize-payment", "after-compensation"},
  };

  @Test
  void killedAtEachStepBoundaryEverySagaEndsOnceAndNoEffectRunsTwice(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    for (int round = 0; round < CRASH_POINTS.length; round++) {
      String step = CRASH_POINTS[round][0];
      String mode = CRASH_POINTS[round][1];
      try (SagaFixture f = new SagaFixture(broker, topics, db)) {
        String prefix = "c" + round + "-";
        f.script.failingOrders.add(prefix + "o-0"); // one saga compensates after the crash
        f.startServices();
        SagaDefinition<OrderData> def = f.definition();
        // Sagas are started in the database; only the child process runs them at first.
        SagaOrchestrator starter = f.orchestrator(def, Clock.systemUTC()).build();
        List<UUID> ids = new ArrayList<>();
        Map<UUID, String> orders = new HashMap<>();
        for (int i = 0; i < 4; i++) {
          UUID id = f.start(starter, def, prefix + "o-" + i);
          ids.add(id);
          orders.put(id, prefix + "o-" + i);
        }
        String group = "keel-saga-crash-" + round;
        runChildUntilItDies(broker, db, f, step, mode, group);

        Map<String, Object> props = new HashMap<>(f.consumerProps());
        props.putAll(FAST_HANDOVER);
        SagaOrchestrator successor =
            f.started(
                f.orchestrator(def, Clock.systemUTC()).group(group).consumerProperties(props));
        SagaAdmin admin = successor.admin();
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    ids.stream().allMatch(id -> admin.byId(id).orElseThrow().state().isTerminal()));
        for (UUID id : ids) {
          SagaView v = admin.byId(id).orElseThrow();
          boolean failing = f.script.failingOrders.contains(orders.get(id));
          assertThat(v.state())
              .as("crash %s %s, saga %s, step log %s", mode, step, orders.get(id), v.log())
              .isEqualTo(failing ? SagaState.COMPENSATED : SagaState.COMPLETED);
          long terminalLines =
              v.log().stream()
                  .filter(e -> e.step() == null && e.kind() != StepLogKind.STARTED)
                  .count();
          assertThat(terminalLines).as("one terminal transition").isEqualTo(1);
          Map<String, Integer> effects = f.effects(orders.get(id));
          assertThat(effects.values())
              .as("crash %s %s: effects of %s: %s", mode, step, orders.get(id), effects)
              .allMatch(n -> n == 1);
        }
      }
    }
  }

  private static void runChildUntilItDies(
      KafkaBroker broker,
      IsolatedDatabase db,
      SagaFixture f,
      String step,
      String mode,
      String group)
      throws Exception {
    Path log = Files.createTempFile("keel-saga-crash", ".log");
    Process child =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    CrashChild.class.getName(),
                    broker.bootstrapServers(),
                    db.jdbcUrl(),
                    db.user(),
                    db.password() == null ? "" : db.password(),
                    f.inventory,
                    f.payments,
                    f.shipping,
                    f.replies,
                    f.outcomes,
                    step,
                    mode,
                    group))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      boolean ended = child.waitFor(90, TimeUnit.SECONDS);
      assertThat(ended).as("the child crashed at %s %s; log in %s", mode, step, log).isTrue();
      assertThat(child.exitValue())
          .as("child exit code; log in %s", log)
          .isEqualTo(CrashChild.HALTED);
      Files.deleteIfExists(log);
    } finally {
      child.destroyForcibly();
    }
  }
}
