package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.retry.RetryPolicy;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaOrchestrator;
import dev.keel.saga.SagaState;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Scenario 9. Sagas of three steps run on two orchestrator instances, each in its own JVM; at
 * random moments of the run one of them is killed ({@code SIGKILL}: no cleanup, no offset commit,
 * no rollback call, wherever it was between or inside its step transitions) and a replacement is
 * started. Participants (inventory, payments, shipping, in this JVM) fail 10 % of their actions:
 * half refuse (the saga compensates), half throw once (the consumer runtime retries); some
 * compensations throw once or refuse their first attempt.
 *
 * <p>Judged from the database once every saga has stopped: every saga in exactly one terminal state
 * (one terminal line in its step log, none left running or compensating), the state its
 * participants' decisions call for, and its effects exactly the expected ones in the expected
 * order: completed sagas have each action once and no compensation; compensated sagas have each
 * applied action compensated once, in reverse order. No action or compensation is applied twice.
 */
@KeelTest
class SagaCrashIT {
  static final int LANES = 8;
  private static final int SAGAS = Scale.of("saga.count", 400, 10_000);
  private static final int KILLS = Scale.of("saga.kills", 3, 20);
  private static final int RATE = Scale.of("saga.rate", 80, 80);
  private static final int ORCHESTRATORS = 2;
  private static final String GROUP = "reliability-saga-orchestrators";

  @Test
  void killedOrchestratorsLeaveEverySagaInOneTerminalStateAndNoEffectTwice(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    DataSource ds = db.dataSource();
    SagaScenario.Topics t =
        new SagaScenario.Topics(
            topics.create("inventory", 3),
            topics.create("payments", 3),
            topics.create("shipping", 3),
            topics.create("saga-replies", 6),
            topics.create("saga-outcomes", 1));
    SchemaInstaller installer = SchemaInstaller.builder().dataSource(ds).build();
    installer.install("outbox");
    installer.install("saga");
    exec(
        ds,
        "CREATE TABLE saga_effect (seq BIGSERIAL PRIMARY KEY, saga_id UUID NOT NULL,"
            + " step TEXT NOT NULL, kind TEXT NOT NULL)");
    Outbox outbox = Outbox.builder().lanes(LANES).build();
    SagaDefinition<SagaScenario.Order> def = SagaScenario.definition(t);
    SagaScenario.Participants participants = new SagaScenario.Participants();
    Random random = new Random(20260909);
    List<Orchestrator> orchestrators = new CopyOnWriteArrayList<>();
    List<Path> logs = new ArrayList<>();
    Map<String, Long> inFlightAtKills = new java.util.TreeMap<>();
    boolean passed = false;
    OutboxRelay relay =
        OutboxRelay.builder()
            .dataSource(ds)
            .producerProperties(broker.clientProperties())
            .lanes(LANES)
            .workers(2)
            .pollInterval(Duration.ofMillis(50))
            .leaseDuration(Duration.ofSeconds(3))
            .closeTimeout(Duration.ofSeconds(10))
            .build();
    Map<String, Object> consumerProps = new HashMap<>(broker.clientProperties());
    consumerProps.put("auto.offset.reset", "earliest");
    ConsumerRuntime.Builder rb =
        ConsumerRuntime.builder()
            .consumerProperties(consumerProps)
            .dataSource(ds)
            .threads(3)
            .pollTimeout(Duration.ofMillis(50))
            .closeTimeout(Duration.ofSeconds(10))
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(10)
                    .initialDelay(Duration.ofMillis(20))
                    .maxDelay(Duration.ofMillis(200))
                    .build());
    participants
        .build(t, outbox, "reliability-saga-participants")
        .listeners()
        .forEach(rb::listener);
    ConsumerRuntime participantRuntime = rb.build();
    // the starter only starts sagas in this JVM's transactions; it is never started itself
    SagaOrchestrator starter =
        SagaOrchestrator.builder()
            .dataSource(ds)
            .outbox(outbox)
            .consumerProperties(consumerProps)
            .installSchema(false)
            .definition(def)
            .build();
    try {
      relay.start();
      participantRuntime.start(); // installs the consumer tables before the orchestrators start
      for (int i = 0; i < ORCHESTRATORS; i++) {
        orchestrators.add(launch(broker, db, t, logs));
      }
      long begin = System.nanoTime();
      List<UUID> ids = new CopyOnWriteArrayList<>();
      Thread starting = new Thread(() -> startSagas(ds, starter, def, ids), "saga-starter");
      starting.start();
      // kill points: random fractions of the sagas ended, spread over the run
      double[] at = new double[KILLS];
      for (int i = 0; i < KILLS; i++) {
        at[i] = 0.05 + 0.85 * random.nextDouble();
      }
      Arrays.sort(at);
      for (double fraction : at) {
        long target = (long) (fraction * SAGAS);
        await()
            .atMost(Duration.ofSeconds(120 + SAGAS / 20))
            .pollInterval(Duration.ofMillis(20))
            .until(
                () ->
                    count(ds, "SELECT COUNT(*) FROM keel_saga WHERE state IN " + TERMINAL)
                        >= target);
        // the victim is an instance that runs its orchestrator (not one still starting its JVM)
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> orchestrators.stream().anyMatch(Orchestrator::running));
        List<Orchestrator> running = orchestrators.stream().filter(Orchestrator::running).toList();
        Orchestrator victim = running.get(random.nextInt(running.size()));
        orchestrators.remove(victim);
        victim.process().destroyForcibly(); // SIGKILL
        victim.process().waitFor();
        query(
            ds,
            "SELECT state, step_name, phase, COUNT(*) FROM keel_saga"
                + " WHERE state IN ('RUNNING', 'COMPENSATING') GROUP BY state, step_name, phase",
            rs ->
                inFlightAtKills.merge(
                    rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3),
                    rs.getLong(4),
                    Long::sum));
        orchestrators.add(launch(broker, db, t, logs));
      }
      long lastKill = System.nanoTime();
      starting.join();
      await()
          .atMost(Duration.ofSeconds(120 + SAGAS / 20))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  count(ds, "SELECT COUNT(*) FROM keel_saga WHERE state IN " + TERMINAL) >= SAGAS);
      double afterLastKill = (System.nanoTime() - lastKill) / 1e9;
      double seconds = (System.nanoTime() - begin) / 1e9;

      // --- judge, from the database
      Map<SagaState, Long> states = new EnumMap<>(SagaState.class);
      Map<UUID, SagaState> stateOf = new HashMap<>();
      query(
          ds,
          "SELECT id, state FROM keel_saga",
          rs -> {
            SagaState s = SagaState.valueOf(rs.getString(2));
            stateOf.put(rs.getObject(1, UUID.class), s);
            states.merge(s, 1L, Long::sum);
          });
      long notOneTerminalLine =
          count(
              ds,
              "SELECT COUNT(*) FROM keel_saga s WHERE (SELECT COUNT(*) FROM keel_saga_step_log l"
                  + " WHERE l.saga_id = s.id AND l.step IS NULL AND l.kind <> 'STARTED') <> 1");
      long timedOut = count(ds, "SELECT COUNT(*) FROM keel_saga_step_log WHERE kind = 'TIMED_OUT'");
      long duplicateActions = duplicates(ds, "action");
      long duplicateCompensations = duplicates(ds, "compensation");
      Map<UUID, List<String>> effects = new HashMap<>();
      query(
          ds,
          "SELECT saga_id, kind, step FROM saga_effect ORDER BY seq",
          rs ->
              effects
                  .computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                  .add(rs.getString(2) + ":" + rs.getString(3)));
      int wrongState = 0;
      int wrongEffects = 0;
      int expectedCompensated = 0;
      List<String> examples = new ArrayList<>();
      for (UUID id : ids) {
        boolean compensates = SagaScenario.firstRefused(id) >= 0;
        expectedCompensated += compensates ? 1 : 0;
        SagaState expected = compensates ? SagaState.COMPENSATED : SagaState.COMPLETED;
        SagaState actual = stateOf.get(id);
        if (actual != expected) {
          wrongState++;
          example(examples, id + " is " + actual + ", expected " + expected);
        }
        List<String> want = SagaScenario.expectedEffects(id);
        List<String> got = effects.getOrDefault(id, List.of());
        if (!got.equals(want)) {
          wrongEffects++;
          example(examples, id + " effects " + got + ", expected " + want);
        }
      }
      long effectsOfUnknownSagas =
          effects.keySet().stream().filter(k -> !stateOf.containsKey(k)).count();
      long inFlight =
          states.getOrDefault(SagaState.RUNNING, 0L)
              + states.getOrDefault(SagaState.COMPENSATING, 0L);
      new Figures("9 saga orchestrator killed at random step boundaries")
          .add("sagas", ids.size())
          .add("orchestrator instances (separate JVMs)", ORCHESTRATORS)
          .add("kills (SIGKILL) and replacements", KILLS)
          .add(
              "sagas in flight just after the kills (state step phase: sum over kills)",
              inFlightAtKills)
          .add("terminal states", states)
          .add("left RUNNING / COMPENSATING", inFlight)
          .add("sagas without exactly one terminal log line", notOneTerminalLine)
          .add("expected compensated (a step refused)", expectedCompensated)
          .add(
              "actions refused / thrown once (retried)",
              participants.refused.get() + " / " + participants.thrown.get())
          .add(
              "compensation attempts refused (retried by the orchestrator)",
              participants.compensationsRefused.get())
          .add("step timeouts", timedOut)
          .add(
              "duplicated actions / compensations",
              duplicateActions + " / " + duplicateCompensations)
          .add("sagas in an unexpected state", wrongState)
          .add("sagas with unexpected effects (missing, extra or out of order)", wrongEffects)
          .add("time to finish after the last kill s", afterLastKill)
          .add("run time s", seconds)
          .print(null);
      if (!examples.isEmpty()) {
        System.out.println("  examples: " + String.join(System.lineSeparator() + "    ", examples));
      }
      assertThat(ids).hasSize(SAGAS);
      assertThat(stateOf).hasSize(SAGAS);
      assertThat(inFlight).as("sagas left in flight").isZero();
      assertThat(notOneTerminalLine).as("sagas without exactly one terminal transition").isZero();
      assertThat(duplicateActions).as("actions applied more than once").isZero();
      assertThat(duplicateCompensations).as("compensations applied more than once").isZero();
      assertThat(effectsOfUnknownSagas).as("effects of sagas never started").isZero();
      assertThat(wrongState).as("sagas in an unexpected state: %s", examples).isZero();
      assertThat(wrongEffects).as("sagas with unexpected effects: %s", examples).isZero();
      assertThat(participants.refused.get()).as("refusals exercised").isPositive();
      assertThat(participants.thrown.get()).as("retriable failures exercised").isPositive();
      passed = true;
    } finally {
      for (Orchestrator o : orchestrators) {
        o.process().destroyForcibly();
        o.process().waitFor();
      }
      participantRuntime.close();
      relay.close();
      starter.close();
      if (passed) {
        for (Path log : logs) {
          Files.deleteIfExists(log);
        }
      } else {
        System.out.println("orchestrator logs: " + logs);
      }
    }
  }

  /** One orchestrator JVM and its output. */
  record Orchestrator(Process process, Path log) {
    /** Whether its orchestrator has started (and the JVM is alive). */
    boolean running() {
      try {
        return process.isAlive() && Files.readString(log).contains("orchestrator started");
      } catch (java.io.IOException e) {
        return false;
      }
    }
  }

  private static final String TERMINAL =
      "('COMPLETED', 'COMPENSATED', 'FAILED', 'COMPENSATION_FAILED')";

  /** Starts SAGAS sagas at RATE per second, one transaction each. */
  private static void startSagas(
      DataSource ds,
      SagaOrchestrator starter,
      SagaDefinition<SagaScenario.Order> def,
      List<UUID> ids) {
    long begin = System.nanoTime();
    for (int i = 0; i < SAGAS; i++) {
      long due = begin + (long) i * 1_000_000_000L / RATE;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing the load
      }
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        UUID id = starter.start(c, def, new SagaScenario.Order("order-" + i));
        c.commit();
        ids.add(id);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final AtomicInteger LAUNCHED = new AtomicInteger();

  /** Starts one orchestrator JVM; its output goes to a temporary file, kept when the test fails. */
  private static Orchestrator launch(
      KafkaBroker broker, IsolatedDatabase db, SagaScenario.Topics t, List<Path> logs)
      throws Exception {
    Path log = Files.createTempFile("keel-saga-orchestrator-" + LAUNCHED.incrementAndGet(), ".log");
    logs.add(log);
    Process process =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    SagaOrchestratorProcess.class.getName(),
                    broker.bootstrapServers(),
                    db.jdbcUrl(),
                    db.user(),
                    db.password() == null ? "" : db.password(),
                    GROUP,
                    t.inventory(),
                    t.payments(),
                    t.shipping(),
                    t.replies(),
                    t.outcomes()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new Orchestrator(process, log);
  }

  private static void example(List<String> examples, String line) {
    if (examples.size() < 10) {
      examples.add(line);
    }
  }

  /** Applications beyond the first of the same (saga, step, kind). */
  private static long duplicates(DataSource ds, String kind) {
    return count(
        ds,
        "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM saga_effect WHERE kind = '"
            + kind
            + "' GROUP BY saga_id, step) x");
  }

  interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private static void query(DataSource ds, String sql, RowReader reader) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        reader.read(rs);
      }
    }
  }

  private static long count(DataSource ds, String sql) {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void exec(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
