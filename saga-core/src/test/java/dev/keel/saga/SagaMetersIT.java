package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.FailureClass;
import dev.keel.event.KeelMeters;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.retry.RetryPolicy;
import dev.keel.saga.testing.SagaTestClock;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Orchestrators on one registry keep their own saga meters: every {@code keel.saga.*} meter carries
 * the orchestrator's {@code group}, also when two services run a saga of the same name.
 */
@KeelTest
class SagaMetersIT {
  private static final String SAGA = "fulfil";

  /**
   * The saga data; {@code outcome} is {@code ok}, {@code refuse} (compensates) or {@code retry}.
   */
  record Job(String id, String outcome) {}

  /** Two local steps; the second fails as the data says, retried forward an hour later. */
  private static final SagaDefinition<Job> FULFIL =
      SagaDefinition.builder(SAGA, Job.class)
          .step("check", s -> s.local((tx, d) -> d).localCompensation((tx, d) -> d))
          .step(
              "finish",
              s ->
                  s.local(
                          (tx, d) -> {
                            if (d.outcome().equals("refuse")) {
                              throw new NonRetriableKeelException(
                                  FailureClass.BUSINESS, "refused " + d.id());
                            }
                            if (d.outcome().equals("retry")) {
                              throw new IllegalStateException("not yet " + d.id());
                            }
                            return d;
                          })
                      .noCompensation()
                      .onFailure(
                          FailurePolicy.retryForward(
                              RetryPolicy.builder()
                                  .maxAttempts(3)
                                  .initialDelay(Duration.ofHours(1))
                                  .maxDelay(Duration.ofHours(1))
                                  .build())))
          .build();

  @Test
  void twoServicesWithASagaOfTheSameNameCountOnlyTheirOwnSagas(IsolatedDatabase db)
      throws Exception {
    DataSource ds = db.dataSource();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    SagaTestClock clock = SagaTestClock.at(TestTime.start());
    SagaOrchestrator orders =
        orchestrator(ds, clock, meters, "orders-sagas", TableNames.withPrefix("orders_"));
    SagaOrchestrator returns =
        orchestrator(ds, clock, meters, "returns-sagas", TableNames.withPrefix("returns_"));
    try (orders) {
      start(ds, orders, "o-1", "ok");
      start(ds, orders, "o-2", "ok");
      start(ds, orders, "o-3", "refuse");
      start(ds, orders, "o-4", "retry"); // in flight, its retry due in an hour
      try (returns) {
        start(ds, returns, "r-1", "ok");
        clock.advance(Duration.ofSeconds(20)); // past the stuck threshold, before the retry
        assertThat(orders.scanDeadlinesNow()).isZero();
        assertThat(returns.scanDeadlinesNow()).isZero();

        assertThat(count(meters, KeelMeters.SAGA_STARTED, "orders-sagas")).isEqualTo(4);
        assertThat(count(meters, KeelMeters.SAGA_STARTED, "returns-sagas")).isEqualTo(1);
        assertThat(count(meters, KeelMeters.SAGA_COMPLETED, "orders-sagas")).isEqualTo(2);
        assertThat(count(meters, KeelMeters.SAGA_COMPLETED, "returns-sagas")).isEqualTo(1);
        assertThat(count(meters, KeelMeters.SAGA_COMPENSATED, "orders-sagas")).isEqualTo(1);
        assertThat(count(meters, KeelMeters.SAGA_COMPENSATED, "returns-sagas")).isZero();
        for (String group : new String[] {"orders-sagas", "returns-sagas"}) {
          for (SagaState s : new SagaState[] {SagaState.FAILED, SagaState.COMPENSATION_FAILED}) {
            assertThat(
                    find(meters, KeelMeters.SAGA_FAILED, group)
                        .tag("state", s.name())
                        .counter()
                        .count())
                .as("%s %s, registered at zero", group, s)
                .isZero();
          }
        }
        assertThat(steps(meters, "orders-sagas", "check", "action")).isEqualTo(4);
        assertThat(steps(meters, "orders-sagas", "check", "compensation")).isEqualTo(1);
        assertThat(steps(meters, "orders-sagas", "finish", "action")).isEqualTo(2);
        assertThat(steps(meters, "returns-sagas", "check", "action")).isEqualTo(1);
        assertThat(steps(meters, "returns-sagas", "finish", "action")).isEqualTo(1);
        assertThat(find(meters, KeelMeters.SAGA_STUCK, "orders-sagas").gauge().value())
            .isEqualTo(1.0);
        assertThat(find(meters, KeelMeters.SAGA_STUCK, "returns-sagas").gauge().value()).isZero();
        assertThat(meters.getMeters())
            .filteredOn(m -> m.getId().getName().startsWith("keel.saga."))
            .allSatisfy(m -> assertThat(m.getId().getTag("group")).isNotNull());
      }
      // closing one service takes its meters and leaves the other's
      assertThat(meters.find(KeelMeters.SAGA_STARTED).tag("group", "returns-sagas").counters())
          .isEmpty();
      assertThat(meters.find(KeelMeters.SAGA_STUCK).tag("group", "returns-sagas").gauges())
          .isEmpty();
      assertThat(count(meters, KeelMeters.SAGA_STARTED, "orders-sagas")).isEqualTo(4);
      assertThat(find(meters, KeelMeters.SAGA_STUCK, "orders-sagas").gauge().value())
          .isEqualTo(1.0);
    }
    assertThat(meters.find(KeelMeters.SAGA_STARTED).counters()).isEmpty();
  }

  @Test
  void anInstanceKeepsCountingAfterAnotherOfItsGroupClosed(IsolatedDatabase db) throws Exception {
    DataSource ds = db.dataSource();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    SagaTestClock clock = SagaTestClock.at(TestTime.start());
    TableNames tables = TableNames.defaults();
    try (SagaOrchestrator b = orchestrator(ds, clock, meters, "orders-sagas", tables)) {
      try (SagaOrchestrator a = orchestrator(ds, clock, meters, "orders-sagas", tables)) {
        start(ds, a, "a-1", "ok");
        start(ds, b, "b-1", "retry");
        assertThat(count(meters, KeelMeters.SAGA_STARTED, "orders-sagas"))
            .as("one group, one series")
            .isEqualTo(2);
      }
      // a removed the meters the group shared; b registers them again on its next use
      start(ds, b, "b-2", "ok");
      clock.advance(Duration.ofSeconds(20));
      assertThat(b.scanDeadlinesNow()).isZero();
      assertThat(count(meters, KeelMeters.SAGA_STARTED, "orders-sagas")).isEqualTo(1);
      assertThat(count(meters, KeelMeters.SAGA_COMPLETED, "orders-sagas")).isEqualTo(1);
      assertThat(steps(meters, "orders-sagas", "finish", "action")).isEqualTo(1);
      assertThat(find(meters, KeelMeters.SAGA_STUCK, "orders-sagas").gauge().value())
          .isEqualTo(1.0);
    }
  }

  private static SagaOrchestrator orchestrator(
      DataSource ds, SagaTestClock clock, MeterRegistry meters, String group, TableNames tables) {
    SagaOrchestrator o =
        SagaOrchestrator.builder()
            .dataSource(ds)
            .outbox(Outbox.builder().tableNames(tables).build())
            .tableNames(tables)
            .group(group)
            .definition(FULFIL)
            .clock(clock)
            .scanInterval(Duration.ofHours(1))
            .stuckThreshold(Duration.ofSeconds(10))
            .meterRegistry(meters)
            .build();
    o.start();
    return o;
  }

  private static UUID start(DataSource ds, SagaOrchestrator o, String id, String outcome)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      UUID saga = o.start(c, FULFIL, new Job(id, outcome));
      c.commit();
      return saga;
    }
  }

  private static RequiredSearch find(MeterRegistry meters, String name, String group) {
    return meters.get(name).tag("group", group);
  }

  private static double count(MeterRegistry meters, String name, String group) {
    return find(meters, name, group).tag("saga", SAGA).counter().count();
  }

  private static long steps(MeterRegistry meters, String group, String step, String kind) {
    return find(meters, KeelMeters.SAGA_STEP_DURATION, group)
        .tag("saga", SAGA)
        .tag("step", step)
        .tag("kind", kind)
        .timer()
        .count();
  }
}
