package dev.keel.saga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.Event;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.retry.RetryPolicy;
import dev.keel.saga.FailurePolicy;
import dev.keel.saga.RemoteCommand;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaHeaders;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaStep;
import dev.keel.saga.StepAction;
import dev.keel.saga.StepLogEntry;
import dev.keel.saga.testing.SagaTestClock;
import dev.keel.test.TestTime;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The saga state machine against random sequences of replies (current, failing, stale, repeated)
 * and deadlines, on H2. Named invariants:
 *
 * <ul>
 *   <li><b>terminal-is-final</b>: once terminal, the state, step log and outbox of a saga never
 *       change again;
 *   <li><b>forward-in-order</b>: steps complete in definition order, each at most once;
 *   <li><b>compensation-in-reverse</b>: compensations complete in reverse step order, each at most
 *       once, only for steps whose action was sent;
 *   <li><b>completed-means-all-done</b>: a COMPLETED saga completed every step and compensated
 *       none;
 *   <li><b>always-terminates</b>: once participants only answer with success, every saga ends.
 * </ul>
 */
class SagaStateMachinePropertiesTest {
  private static final AtomicInteger DB = new AtomicInteger();

  /** The saga data. */
  record Data(int n) {}

  @Property(tries = 60, seed = "20261127")
  void invariantsHold(
      @ForAll("definitions") SagaDefinition<Data> def,
      @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 5) Integer> script)
      throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:saga" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    SchemaInstaller installer = SchemaInstaller.builder().dataSource(ds).build();
    installer.install("outbox");
    installer.install("saga");
    SagaTestClock clock = SagaTestClock.at(TestTime.start());
    SagaStore store = new SagaStore(SqlDialect.H2, TableNames.defaults());
    SagaEngine engine =
        new SagaEngine(
            Map.of(def.name(), def),
            store,
            Outbox.builder().lanes(1).build(),
            JsonCodec.create(),
            clock,
            new SagaMetrics(null, "properties", List.of()));
    UUID id;
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      id = engine.start(c, def, new Data(1));
      c.commit();
    }
    List<Event> delivered = new ArrayList<>();
    Snapshot before = snapshot(ds, store, id);
    for (int move : script) {
      step(ds, store, engine, clock, def, id, move, delivered);
      Snapshot after = snapshot(ds, store, id);
      terminalIsFinal(before, after);
      before = after;
    }
    // From here on participants only succeed: every saga must end.
    for (int i = 0; i < 200 && !before.row.state.isTerminal(); i++) {
      step(ds, store, engine, clock, def, id, i % 2 == 0 ? 0 : 3, delivered);
      Snapshot after = snapshot(ds, store, id);
      terminalIsFinal(before, after);
      before = after;
    }
    assertThat(before.row.state.isTerminal()).as("always-terminates").isTrue();
    forwardInOrderAndCompensationInReverse(def, before.log, before.row.state);
  }

  private static void step(
      JdbcDataSource ds,
      SagaStore store,
      SagaEngine engine,
      SagaTestClock clock,
      SagaDefinition<Data> def,
      UUID id,
      int move,
      List<Event> delivered)
      throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      SagaRow row = store.lock(c, id).orElseThrow();
      c.commit();
      boolean compensating = row.state == SagaState.COMPENSATING;
      SagaStep<Data> step = def.steps().get(def.indexOf(row.stepName));
      switch (move) {
        case 0, 1, 2 -> {
          boolean success = move != 1;
          Event reply =
              reply(row, step, compensating, success, move == 2 ? row.attempt + 1 : row.attempt);
          delivered.add(reply);
          engine.onReply(c, reply);
        }
        case 3 -> {
          clock.advance(Duration.ofHours(1));
          Optional<SagaRow> due = store.claimDue(c, clock.instant());
          if (due.isPresent()) {
            engine.onDeadline(c, due.get());
          }
        }
        default -> {
          if (!delivered.isEmpty()) {
            engine.onReply(c, delivered.get(move % delivered.size()));
          }
        }
      }
      c.commit();
    }
  }

  private static Event reply(
      SagaRow row, SagaStep<Data> step, boolean compensating, boolean success, int attempt) {
    String type =
        success
            ? (compensating
                ? SagaEngine.command(step.compensation())
                    .map(RemoteCommand::replyType)
                    .orElse("x.undone")
                : SagaEngine.command(step.action()).map(RemoteCommand::replyType).orElse("x.done"))
            : "step.refused";
    Event.Builder b =
        Event.builder()
            .type(type)
            .topic("replies")
            .source("participant")
            .header(SagaHeaders.SAGA_ID, row.id.toString())
            .header(SagaHeaders.SAGA_STEP, row.stepName)
            .header(
                SagaHeaders.KIND,
                compensating ? SagaHeaders.KIND_COMPENSATION : SagaHeaders.KIND_ACTION)
            .header(SagaHeaders.ATTEMPT, Integer.toString(attempt))
            .header(SagaHeaders.COMMAND_ID, String.valueOf(row.commandId))
            .header(SagaHeaders.OUTCOME, success ? "success" : "failure")
            .payload("{}".getBytes(StandardCharsets.UTF_8));
    if (!success) {
      b.header(SagaHeaders.FAILURE_CLASS, "TRANSIENT");
    }
    return b.build();
  }

  private static void terminalIsFinal(Snapshot before, Snapshot after) {
    if (before.row.state.isTerminal()) {
      assertThat(after.row.state).as("terminal-is-final: state").isEqualTo(before.row.state);
      assertThat(after.log).as("terminal-is-final: step log").hasSameSizeAs(before.log);
      assertThat(after.outbox).as("terminal-is-final: outbox").isEqualTo(before.outbox);
    }
  }

  private static void forwardInOrderAndCompensationInReverse(
      SagaDefinition<Data> def, List<StepLogEntry> log, SagaState end) {
    List<Integer> done = new ArrayList<>();
    List<Integer> undone = new ArrayList<>();
    List<Integer> sent = new ArrayList<>();
    for (StepLogEntry e : log) {
      if (e.step() == null) {
        continue;
      }
      int i = def.indexOf(e.step());
      switch (e.kind()) {
        case ACTION_DONE -> done.add(i);
        case COMMAND_SENT -> sent.add(i);
        case COMPENSATED -> undone.add(i);
        default -> {}
      }
    }
    for (int k = 1; k < done.size(); k++) {
      assertThat(done.get(k)).as("forward-in-order %s", log).isGreaterThan(done.get(k - 1));
    }
    for (int k = 1; k < undone.size(); k++) {
      assertThat(undone.get(k)).as("compensation-in-reverse %s", log).isLessThan(undone.get(k - 1));
    }
    for (int i : undone) {
      boolean started = sent.contains(i) || def.steps().get(i).action() instanceof StepAction.Local;
      assertThat(started).as("compensation-in-reverse: only started steps %s", log).isTrue();
    }
    if (end == SagaState.COMPLETED) {
      assertThat(done).as("completed-means-all-done").hasSize(def.steps().size());
      assertThat(undone).as("completed-means-all-done").isEmpty();
    }
  }

  private record Snapshot(SagaRow row, List<StepLogEntry> log, long outbox) {}

  private static Snapshot snapshot(JdbcDataSource ds, SagaStore store, UUID id) throws Exception {
    try (Connection c = ds.getConnection()) {
      SagaRow row = store.lock(c, id).orElseThrow();
      List<StepLogEntry> log = store.logOf(c, id);
      long outbox;
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM \"keel_outbox\"");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        outbox = rs.getLong(1);
      }
      c.commit();
      return new Snapshot(row, log, outbox);
    }
  }

  @Provide
  Arbitrary<SagaDefinition<Data>> definitions() {
    return Arbitraries.integers()
        .between(1, 4)
        .flatMap(
            n ->
                Arbitraries.integers()
                    .between(0, 8)
                    .list()
                    .ofSize(n)
                    .flatMap(
                        shapes ->
                            Arbitraries.integers()
                                .between(-1, n - 1)
                                .map(pivot -> definition(shapes, pivot))));
  }

  private static SagaDefinition<Data> definition(List<Integer> shapes, int pivot) {
    RetryPolicy twice =
        RetryPolicy.builder()
            .maxAttempts(2)
            .initialDelay(Duration.ofMillis(1))
            .maxDelay(Duration.ofMillis(1))
            .jitter(0)
            .build();
    SagaDefinition.Builder<Data> b =
        SagaDefinition.builder("prop-saga", Data.class)
            .replyTopic("replies")
            .compensationRetry(twice);
    for (int i = 0; i < shapes.size(); i++) {
      int shape = shapes.get(i);
      int index = i;
      boolean afterPivot = pivot >= 0 && i > pivot;
      b.step(
          "s" + i,
          s -> {
            if (shape % 3 == 2) {
              s.local((tx, d) -> d);
            } else {
              s.command("cmds", "s" + index + ".do", d -> d).onReply("s" + index + ".done");
            }
            if (afterPivot || shape / 3 == 0) {
              s.noCompensation();
            } else if (shape / 3 == 1) {
              s.compensation("cmds", "s" + index + ".undo", d -> d, "s" + index + ".undone");
            } else {
              s.localCompensation((tx, d) -> d);
            }
            if (afterPivot || shape % 2 == 1) {
              s.onFailure(FailurePolicy.retryForward(twice));
            }
            if (index == pivot) {
              s.pivot();
            }
          });
    }
    return b.build();
  }
}
