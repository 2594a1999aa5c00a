package dev.keel.saga;

import static dev.keel.saga.SagaLifecycleIT.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The saga tables on MariaDB (skipped, with the reason, when {@code KEEL_MARIADB_URL} is unset) and
 * H2 2.x: a happy path and a compensation, deadlines claimed with {@code FOR UPDATE SKIP LOCKED} on
 * both.
 */
@KeelTest
class DialectsIT {

  @Test
  void mariaDb(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    run(broker, topics, db);
  }

  @Test
  void h2(KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.H2) IsolatedDatabase db)
      throws Exception {
    run(broker, topics, db);
  }

  private static void run(KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      f.script.failingOrders.add("d-2");
      f.startServices();
      SagaDefinition<OrderData> def = f.definition();
      SagaOrchestrator o = f.started(f.orchestrator(def, Clock.systemUTC()));
      UUID ok = f.start(o, def, "d-1");
      UUID undone = f.start(o, def, "d-2");
      assertThat(awaitTerminal(o, ok).state()).isEqualTo(SagaState.COMPLETED);
      SagaView v = awaitTerminal(o, undone);
      assertThat(v.state()).isEqualTo(SagaState.COMPENSATED);
      assertThat(v.dataJson()).contains("auth-d-2");
      assertThat(f.effects("d-1"))
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
      assertThat(f.effects("d-2"))
          .containsEntry("payment.void", 1)
          .containsEntry("stock.release", 1);
      assertThat(o.scanDeadlinesNow()).isZero();
      assertThat(o.admin().byState(SagaState.COMPLETED, 10)).extracting(SagaView::id).contains(ok);
    }
  }
}
