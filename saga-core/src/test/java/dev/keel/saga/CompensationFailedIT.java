package dev.keel.saga;

import static dev.keel.saga.SagaLifecycleIT.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.NonRetriableKeelException;
import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A compensation that always fails ends in COMPENSATION_FAILED and on the operator list; after the
 * cause is fixed an operator retries it, or resolves another by hand; both audited, through {@link
 * SagaAdmin} (keel-cli's SagaSubcommandIT runs the same through {@code keel saga}).
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
      assertThat(admin.compensationFailed()).hasSize(2);
      assertThat(admin.byId(retried).orElseThrow().state())
          .isEqualTo(SagaState.COMPENSATION_FAILED);

      f.script.failingCompensations.clear(); // the cause is fixed
      admin.retryCompensation(retried, "alice", "fixed");
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

      admin.resolve(resolved, "bob", "voided in the payment console");
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
      assertThat(admin.audit(resolved))
          .singleElement()
          .satisfies(a -> assertThat(a.action() + "/" + a.actor()).isEqualTo("RESOLVE/bob"));

      assertThatThrownBy(() -> admin.retryCompensation(resolved, "carol", null))
          .isInstanceOf(NonRetriableKeelException.class)
          .hasMessageContaining("resolved by bob");
    }
  }
}
