package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.Outbox;
import dev.keel.retry.RetryPolicy;
import dev.keel.saga.testing.SagaTestClock;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import dev.keel.test.WithDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A local step refused by the database as data (SQLState class 22: a value too long, U+0000 in
 * text, text that is no number) fails at once, without the forward retries of its failure policy or
 * the compensation retries of its definition: the same data fails the same way on every attempt. A
 * transient database error (a row lock that is not available) is still retried. The reason is
 * stored with its SQLState and without control characters.
 */
@KeelTest
class LocalDataExceptionIT {
  private static final RetryPolicy RETRY =
      RetryPolicy.builder()
          .maxAttempts(5)
          .initialDelay(Duration.ofSeconds(1))
          .maxDelay(Duration.ofSeconds(1))
          .build();

  /** The saga data: an order and the label its second step writes. */
  record Order(String id, String label) {}

  @Test
  void postgres(IsolatedDatabase db) throws Exception {
    run(db);
  }

  @Test
  void mariaDb(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) throws Exception {
    run(db);
  }

  @Test
  void h2(@WithDatabase(DatabaseKind.H2) IsolatedDatabase db) throws Exception {
    run(db);
  }

  private static void run(IsolatedDatabase db) throws Exception {
    DataSource ds = db.dataSource();
    createTables(ds);
    Map<String, AtomicInteger> labelAttempts = new ConcurrentHashMap<>();
    SagaDefinition<Order> labelling =
        definition(
            "labelling",
            labelAttempts,
            (tx, d) -> {
              update(tx, "DELETE FROM saga_booking WHERE order_id = ?", d.id());
              return d;
            });
    SagaDefinition<Order> undoFails =
        definition(
            "labelling-undo-fails",
            labelAttempts,
            (tx, d) -> {
              update(
                  tx,
                  "UPDATE saga_booking SET note = ? WHERE order_id = ?",
                  "x".repeat(50),
                  d.id());
              return d;
            });
    SagaTestClock clock = SagaTestClock.at(TestTime.start());
    try (SagaOrchestrator o = orchestrator(ds, clock, labelling, undoFails)) {
      SagaAdmin admin = o.admin();

      // 22001 in the action: one attempt, then the booking is compensated
      UUID tooLong = start(ds, o, labelling, new Order("o-long", "far-too-long"));
      SagaView v = admin.byId(tooLong).orElseThrow();
      assertThat(v.state()).as("log %s", v.log()).isEqualTo(SagaState.COMPENSATED);
      assertThat(labelAttempts.get("o-long")).hasValue(1);
      assertThat(SagaFixture.kinds(v))
          .containsExactly(
              "STARTED",
              "ACTION_DONE:book",
              "ACTION_FAILED:label",
              "COMPENSATED:book",
              "COMPENSATED");
      StepLogEntry failed = entry(v, StepLogKind.ACTION_FAILED);
      assertThat(failed.attempt()).isEqualTo(1);
      assertThat(failed.detail()).startsWith("VALIDATION: ").contains("(SQLState 22001)");
      assertThat(v.failureReason()).startsWith("step label: ").contains("22001");
      assertThat(count(ds, "saga_booking", "o-long")).as("booking compensated").isZero();
      assertThat(count(ds, "saga_label", "o-long")).isZero();
      clock.advance(Duration.ofMinutes(1));
      assertThat(o.scanDeadlinesNow()).as("no retry was scheduled").isZero();

      // a row lock that is not available: transient, retried, then done
      UUID locked;
      try (Connection holder = ds.getConnection()) {
        holder.setAutoCommit(false);
        lockGate(holder, false);
        locked = start(ds, o, labelling, new Order("o-locked", "ok"));
        holder.rollback();
      }
      v = admin.byId(locked).orElseThrow();
      assertThat(v.state()).as("log %s", v.log()).isEqualTo(SagaState.RUNNING);
      assertThat(entry(v, StepLogKind.ACTION_FAILED).detail()).startsWith("TRANSIENT: ");
      assertThat(SagaFixture.kinds(v)).endsWith("RETRY_SCHEDULED:label");
      clock.advance(Duration.ofSeconds(5));
      assertThat(o.scanDeadlinesNow()).isEqualTo(1);
      v = admin.byId(locked).orElseThrow();
      assertThat(v.state()).as("log %s", v.log()).isEqualTo(SagaState.COMPLETED);
      assertThat(labelAttempts.get("o-locked")).hasValue(2);
      assertThat(entry(v, StepLogKind.ACTION_DONE, "label").attempt()).isEqualTo(2);
      assertThat(count(ds, "saga_label", "o-locked")).isEqualTo(1);

      // 22001 in the compensation too: it ends at once in COMPENSATION_FAILED
      UUID undo = start(ds, o, undoFails, new Order("o-undo", "far-too-long"));
      v = admin.byId(undo).orElseThrow();
      assertThat(v.state()).as("log %s", v.log()).isEqualTo(SagaState.COMPENSATION_FAILED);
      assertThat(SagaFixture.kinds(v))
          .containsExactly(
              "STARTED",
              "ACTION_DONE:book",
              "ACTION_FAILED:label",
              "COMPENSATION_FAILED:book",
              "COMPENSATION_FAILED");
      assertThat(entry(v, StepLogKind.COMPENSATION_FAILED, "book").detail())
          .startsWith("VALIDATION: ")
          .contains("(SQLState 22001)");
      assertThat(v.failureReason()).startsWith("compensation of step book: ");
      assertThat(count(ds, "saga_booking", "o-undo")).as("the failed undo rolled back").isOne();
      clock.advance(Duration.ofMinutes(5));
      assertThat(o.scanDeadlinesNow()).as("no compensation retry was scheduled").isZero();
    }
  }

  /**
   * PostgreSQL's data exceptions whose messages echo the refused value: U+0000 (22021) and text
   * that is no integer (22P02, here with terminal control characters). Both fail at once; the
   * stored reason keeps the SQLState and loses the control characters. Saga data PostgreSQL refuses
   * ({@code jsonb} has no U+0000) fails the start as non-retriable.
   */
  @Test
  void postgresDataExceptionsEchoingTheValueAreStoredSafely(IsolatedDatabase db) throws Exception {
    DataSource ds = db.dataSource();
    createTables(ds);
    AtomicInteger attempts = new AtomicInteger();
    SagaDefinition<Order> parse =
        SagaDefinition.builder("parsing", Order.class)
            .step(
                "parse",
                s ->
                    s.local(
                            (tx, d) -> {
                              attempts.incrementAndGet();
                              try (PreparedStatement ps =
                                  tx.prepareStatement("SELECT CAST(? AS INTEGER)")) {
                                // '~' stands for U+0000, which jsonb saga data cannot hold
                                ps.setString(1, d.label().replace('~', '\u0000'));
                                ps.executeQuery().close();
                              }
                              return d;
                            })
                        .noCompensation()
                        .onFailure(FailurePolicy.retryForward(RETRY)))
            .build();
    SagaTestClock clock = SagaTestClock.at(TestTime.start());
    try (SagaOrchestrator o = orchestrator(ds, clock, parse)) {
      UUID nul = start(ds, o, parse, new Order("o-nul", "12~34"));
      UUID controls = start(ds, o, parse, new Order("o-esc", "12\u001b[2J\u0007\r\nend"));
      for (UUID id : List.of(nul, controls)) {
        SagaView v = o.admin().byId(id).orElseThrow();
        assertThat(v.state()).as("log %s", v.log()).isEqualTo(SagaState.COMPENSATED);
        assertThat(v.failureReason()).matches("[^\\x00-\\x1f\\x7f]*");
        assertThat(entry(v, StepLogKind.ACTION_FAILED).detail())
            .startsWith("VALIDATION: ")
            .matches("[^\\x00-\\x1f\\x7f]*");
      }
      assertThat(attempts).hasValue(2);
      assertThat(entry(o.admin().byId(nul).orElseThrow(), StepLogKind.ACTION_FAILED).detail())
          .contains("(SQLState 22021)");
      assertThat(o.admin().byId(controls).orElseThrow().failureReason())
          .contains("(SQLState 22P02)")
          .contains("[2J");
      clock.advance(Duration.ofMinutes(1));
      assertThat(o.scanDeadlinesNow()).isZero();

      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        assertThatThrownBy(() -> o.start(c, parse, new Order("o-data", "1\u00002")))
            .isInstanceOf(NonRetriableKeelException.class)
            .hasMessageContaining("parsing")
            .satisfies(
                e ->
                    assertThat(((NonRetriableKeelException) e).failureClass())
                        .isEqualTo(FailureClass.VALIDATION));
        c.rollback();
      }
    }
  }

  /** Books the order, then labels it (retried forward); {@code undo} compensates the booking. */
  private static SagaDefinition<Order> definition(
      String name, Map<String, AtomicInteger> labelAttempts, LocalAction<Order> undo) {
    return SagaDefinition.builder(name, Order.class)
        .step(
            "book",
            s ->
                s.local(
                        (tx, d) -> {
                          update(tx, "INSERT INTO saga_booking (order_id) VALUES (?)", d.id());
                          return d;
                        })
                    .localCompensation(undo))
        .step(
            "label",
            s ->
                s.local(
                        (tx, d) -> {
                          labelAttempts
                              .computeIfAbsent(d.id(), k -> new AtomicInteger())
                              .incrementAndGet();
                          lockGate(tx, true);
                          update(
                              tx,
                              "INSERT INTO saga_label (order_id, label) VALUES (?, ?)",
                              d.id(),
                              d.label());
                          return d;
                        })
                    .noCompensation()
                    .onFailure(FailurePolicy.retryForward(RETRY)))
        .build();
  }

  private static SagaOrchestrator orchestrator(
      DataSource ds, SagaTestClock clock, SagaDefinition<?>... definitions) {
    SagaOrchestrator.Builder b =
        SagaOrchestrator.builder()
            .dataSource(ds)
            .outbox(Outbox.builder().build())
            .clock(clock)
            .scanInterval(Duration.ofHours(1));
    for (SagaDefinition<?> d : definitions) {
      b.definition(d);
    }
    SagaOrchestrator o = b.build();
    o.start();
    return o;
  }

  private static UUID start(DataSource ds, SagaOrchestrator o, SagaDefinition<Order> def, Order d)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      UUID id = o.start(c, def, d);
      c.commit();
      return id;
    }
  }

  private static void createTables(DataSource ds) throws SQLException {
    SchemaInstaller.builder().dataSource(ds).build().install("outbox");
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE saga_booking (order_id VARCHAR(64) NOT NULL, note VARCHAR(10))");
      st.execute("CREATE TABLE saga_label (order_id VARCHAR(64) NOT NULL, label VARCHAR(5))");
      st.execute("CREATE TABLE saga_gate (id INT PRIMARY KEY)");
      st.execute("INSERT INTO saga_gate (id) VALUES (1)");
    }
  }

  /** Locks the gate row; with {@code nowait}, fails at once when another transaction holds it. */
  private static void lockGate(Connection c, boolean nowait) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT id FROM saga_gate WHERE id = 1 FOR UPDATE" + (nowait ? " NOWAIT" : ""))) {
      rs.next();
    }
  }

  private static void update(Connection c, String sql, String... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  private static int count(DataSource ds, String table, String orderId) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE order_id = ?")) {
      ps.setString(1, orderId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static StepLogEntry entry(SagaView v, StepLogKind kind) {
    return v.log().stream().filter(e -> e.kind() == kind).findFirst().orElseThrow();
  }

  private static StepLogEntry entry(SagaView v, StepLogKind kind, String step) {
    return v.log().stream()
        .filter(e -> e.kind() == kind && step.equals(e.step()))
        .findFirst()
        .orElseThrow();
  }
}
