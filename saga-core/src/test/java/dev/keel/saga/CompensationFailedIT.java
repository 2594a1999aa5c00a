package dev.keel.saga;

import static dev.keel.saga.SagaLifecycleIT.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.cli.KeelCli;
import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.saga.cli.SagaCli;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A compensation that always fails ends in COMPENSATION_FAILED and on the operator list; after the
 * cause is fixed an operator retries it, or resolves another by hand; both audited, through the
 * CLI.
 */
@KeelTest
class CompensationFailedIT {

  @Test
  void failedCompensationIsListedRetriedAndResolved(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      f.script.businessFailures.add("shipment.create");
      f.script.failingCompensations.add("payment.void");
      f.startServices();
      SagaDefinition<OrderData> def = f.definition();
      SagaOrchestrator o = f.started(f.orchestrator(def, Clock.systemUTC()));
      UUID retried = f.start(o, def, "o-x");
      UUID resolved = f.start(o, def, "o-y");

      for (UUID id : new UUID[] {retried, resolved}) {
        SagaView v = awaitTerminal(o, id);
        assertThat(v.state()).isEqualTo(SagaState.COMPENSATION_FAILED);
        assertThat(v.step()).isEqualTo("authorize-payment");
        assertThat(v.failureReason()).contains("compensation of step authorize-payment");
        assertThat(
                v.log().stream()
                    .filter(e -> e.kind() == StepLogKind.COMPENSATION_FAILED && e.step() != null)
                    .count())
            .as("three attempts under the compensation retry policy")
            .isEqualTo(3);
      }
      SagaAdmin admin = o.admin();
      assertThat(admin.compensationFailed()).extracting(SagaView::id).contains(retried, resolved);
      assertThat(cli("list", conn(db))).contains(retried.toString()).contains("2 saga(s)");
      assertThat(cli("show", conn(db), retried.toString())).contains("COMPENSATION_FAILED");
      StringWriter keelOut = new StringWriter();
      int keelCode =
          KeelCli.run(
              new PrintWriter(keelOut),
              new PrintWriter(new StringWriter()),
              args("saga", new String[] {"list"}, conn(db)));
      assertThat(keelCode).as("keel saga list").isZero();
      assertThat(keelOut.toString()).as("keel saga list").contains(resolved.toString());

      f.script.failingCompensations.clear(); // the cause is fixed
      assertThat(
              cli("retry", conn(db), retried.toString(), "--actor", "alice", "--reason", "fixed"))
          .contains("retry scheduled");
      SagaView after = awaitTerminal(o, retried);
      assertThat(after.state()).isEqualTo(SagaState.COMPENSATED);
      assertThat(f.effects("o-x"))
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
      assertThat(SagaFixture.kinds(after))
          .containsSubsequence(
              "OPERATOR_RETRY:authorize-payment",
              "COMPENSATED:authorize-payment",
              "COMPENSATED:reserve-stock",
              "COMPENSATED");

      assertThat(
              cli(
                  "resolve",
                  conn(db),
                  resolved.toString(),
                  "--actor",
                  "bob",
                  "--reason",
                  "voided in the payment console"))
          .contains("resolved by bob");
      SagaView byHand = admin.byId(resolved).orElseThrow();
      assertThat(byHand.state()).isEqualTo(SagaState.COMPENSATION_FAILED);
      assertThat(byHand.resolvedBy()).isEqualTo("bob");
      assertThat(admin.compensationFailed()).isEmpty();
      assertThat(admin.audit(retried))
          .singleElement()
          .satisfies(
              a -> assertThat(a.action() + "/" + a.actor()).isEqualTo("RETRY_COMPENSATION/alice"));
      assertThat(admin.audit(resolved))
          .singleElement()
          .satisfies(a -> assertThat(a.reason()).isEqualTo("voided in the payment console"));
      assertThat(cli("audit", conn(db), resolved.toString())).contains("RESOLVE").contains("bob");

      StringWriter err = new StringWriter();
      int code =
          SagaCli.run(
              new PrintWriter(new StringWriter()),
              new PrintWriter(err),
              as(new String[] {"--actor", "carol"}),
              args("retry", conn(db), resolved.toString(), "--actor", "carol"));
      assertThat(code).isEqualTo(1);
      assertThat(err.toString()).contains("resolved by bob");
    }
  }

  /** The environment of the operator that {@code --actor} names ({@code KEEL_ACTOR}). */
  static java.util.Map<String, String> as(String[] rest) {
    java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
    int actor = java.util.Arrays.asList(rest).indexOf("--actor");
    if (actor >= 0) {
      env.put(dev.keel.dlq.cli.OperatorIdentity.ACTOR_ENV, rest[actor + 1]);
    }
    return env;
  }

  static String[] conn(IsolatedDatabase db) {
    String url = db.jdbcUrl();
    if (db.password() != null && !db.password().isEmpty()) {
      url += (url.contains("?") ? "&" : "?") + "password=" + db.password();
    }
    return new String[] {"--jdbc-url", url, "--db-user", db.user()};
  }

  static String[] args(String command, String[] conn, String... rest) {
    String[] all = new String[1 + conn.length + rest.length];
    all[0] = command;
    System.arraycopy(conn, 0, all, 1, conn.length);
    System.arraycopy(rest, 0, all, 1 + conn.length, rest.length);
    return all;
  }

  static String cli(String command, String[] conn, String... rest) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SagaCli.run(
            new PrintWriter(out), new PrintWriter(err), as(rest), args(command, conn, rest));
    assertThat(code).as("exit code; stderr: %s", err).isZero();
    return out.toString();
  }
}
