package dev.keel.spring.boot.autoconfigure.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.event.FailureClass;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.retry.RetryPolicy;
import dev.keel.saga.SagaAdmin;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaOrchestrator;
import dev.keel.saga.SagaParticipant;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaStepFailure;
import dev.keel.saga.StepContract;
import dev.keel.spring.boot.autoconfigure.KeelLifecycle;
import dev.keel.spring.boot.autoconfigure.actuate.KeelOperationsEndpoint;
import dev.keel.spring.boot.autoconfigure.saga.SagaParticipants;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The saga orchestrator of the application's definition beans and the consumer runtime of its
 * participant beans, run by the context against the real broker and database: a saga completes; a
 * saga whose compensation fails turns the {@code sagas} health OUT_OF_SERVICE and its compensation
 * is retried through the endpoint under the principal's name; closing the context stops both.
 */
@KeelTest
class KeelSagaIT {
  static final String SAGA = "ship-order";

  /** The saga data. */
  public record Order(String orderId, int amount) {}

  static final StepContract<Order, Object> RESERVE =
      StepContract.builder("stock", "stock.reserve", Order.class)
          .success("stock.reserved")
          .failure("stock.refused")
          .build();
  static final StepContract<Order, Object> RELEASE =
      StepContract.builder("stock", "stock.release", Order.class)
          .success("stock.released")
          .failure("stock.release-failed")
          .build();
  static final StepContract<Order, Object> CHARGE =
      StepContract.builder("payments", "payment.charge", Order.class)
          .success("payment.charged")
          .failure("payment.refused")
          .build();

  /** Orders whose stock release fails, changed by the test. */
  static final Set<String> FAILING_RELEASES = ConcurrentHashMap.newKeySet();

  /** The order whose reserve handler waits at a pause point, and the point's latches. */
  static final String SLOW = "order-slow-" + UUID.randomUUID();

  static final CountDownLatch SLOW_ENTERED = new CountDownLatch(1);
  static final CountDownLatch SLOW_RELEASE = new CountDownLatch(1);

  /** Topics of one test, given to the application's beans. */
  record SagaTopics(String stock, String payments, String replies) {}

  /** The application: an outbox with its relay, one definition and two participants. */
  @Configuration(proxyBeanMethods = false)
  static class ShipOrder {
    @Bean
    Outbox outbox(KeelDatabase database) {
      database.prepare("outbox");
      return Outbox.builder().database(database).build();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    OutboxRelay relay(KeelDatabase database, KeelKafka kafka, Outbox outbox) {
      return OutboxRelay.builder()
          .database(database)
          .kafka(kafka)
          .outbox(outbox)
          .pollInterval(Duration.ofMillis(50))
          .closeTimeout(Duration.ofSeconds(5))
          .build();
    }

    @Bean
    SagaDefinition<Order> shipOrder(SagaTopics t) {
      return SagaDefinition.builder(SAGA, Order.class)
          .replyTopic(t.replies())
          .commandKey(Order::orderId)
          .compensationRetry(
              RetryPolicy.builder()
                  .maxAttempts(2)
                  .initialDelay(Duration.ofMillis(50))
                  .maxDelay(Duration.ofMillis(100))
                  .build())
          .step(
              "reserve",
              s ->
                  s.command(t.stock(), RESERVE, d -> d)
                      .compensation(t.stock(), RELEASE, d -> d)
                      .timeout(Duration.ofSeconds(30)))
          .step(
              "charge",
              s ->
                  s.command(t.payments(), CHARGE, d -> d)
                      .noCompensation()
                      .timeout(Duration.ofSeconds(30)))
          .step(
              "confirm",
              s ->
                  s.local(
                          (tx, d) -> {
                            effect(tx, d.orderId(), "confirm");
                            return d;
                          })
                      .noCompensation())
          .build();
    }

    @Bean
    SagaParticipant stock(KeelDatabase database, Outbox outbox, SagaTopics t) {
      return SagaParticipant.builder()
          .database(database)
          .group("stock-" + t.stock())
          .source("stock")
          .outbox(outbox)
          .replyTopics(t.replies())
          .onCommand(
              t.stock(),
              RESERVE,
              cmd -> {
                if (cmd.payload().orderId().equals(SLOW)) {
                  SLOW_ENTERED.countDown();
                  if (!SLOW_RELEASE.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                  }
                }
                effect(cmd.connection(), cmd.payload().orderId(), "reserve");
                return null;
              })
          .onCompensate(
              t.stock(),
              RELEASE,
              cmd -> {
                if (FAILING_RELEASES.contains(cmd.payload().orderId())) {
                  throw new SagaStepFailure(
                      "stock.release-failed", FailureClass.BUSINESS, "warehouse closed");
                }
                effect(cmd.connection(), cmd.payload().orderId(), "release");
                return null;
              })
          .build();
    }

    @Bean
    SagaParticipant payments(KeelDatabase database, Outbox outbox, SagaTopics t) {
      return SagaParticipant.builder()
          .database(database)
          .group("payments-" + t.payments())
          .source("payments")
          .outbox(outbox)
          .replyTopics(t.replies())
          .onCommand(
              t.payments(),
              CHARGE,
              cmd -> {
                if (cmd.payload().amount() > 1000) {
                  throw new SagaStepFailure("payment.refused", FailureClass.BUSINESS, "limit");
                }
                effect(cmd.connection(), cmd.payload().orderId(), "charge");
                return null;
              })
          .build();
    }
  }

  static void effect(Connection c, String orderId, String what) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO ship_effect (order_id, what) VALUES (?, ?)")) {
      ps.setString(1, orderId);
      ps.setString(2, what);
      ps.executeUpdate();
    }
  }

  static long effects(DataSource ds, String orderId, String what) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM ship_effect WHERE order_id = ? AND what = ?")) {
      ps.setString(1, orderId);
      ps.setString(2, what);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static UUID start(DataSource ds, SagaOrchestrator sagas, Order order) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      UUID id = sagas.start(c, SAGA, order);
      c.commit();
      return id;
    }
  }

  @Test
  void sagasRunOnTheContextsBeansAFailedCompensationIsRetriedThroughTheEndpointAndCloseStopsThem(
      IsolatedDatabase db, KafkaBroker kafka, Topics topics) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE ship_effect (order_id VARCHAR(64) NOT NULL, what VARCHAR(32))");
    }
    SagaTopics t =
        new SagaTopics(
            topics.create("stock", 2), topics.create("payments", 2), topics.create("replies", 2));
    String failing = "order-" + UUID.randomUUID();
    FAILING_RELEASES.add(failing);
    AtomicReference<SagaOrchestrator> orchestrator = new AtomicReference<>();
    AtomicReference<SagaParticipants> participants = new AtomicReference<>();
    Map<String, KeelLifecycle> lifecycles = new ConcurrentHashMap<>();
    OpsApps.app(db, kafka)
        .withUserConfiguration(ShipOrder.class)
        .withBean(SagaTopics.class, () -> t)
        .withPropertyValues("keel.actuator.operations.enabled=true")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              SagaOrchestrator sagas = ctx.getBean(SagaOrchestrator.class);
              orchestrator.set(sagas);
              participants.set(ctx.getBean(SagaParticipants.class));
              ctx.getBeansOfType(KeelLifecycle.class)
                  .forEach(
                      (name, l) -> {
                        if (name.startsWith("keelSaga")) {
                          lifecycles.put(name, l);
                        }
                      });
              assertThat(lifecycles)
                  .containsOnlyKeys(
                      "keelSagaOrchestratorLifecycle", "keelSagaParticipantsLifecycle")
                  .allSatisfy((name, l) -> assertThat(l.isRunning()).as(name).isTrue());
              assertThat(participants.get().participants()).hasSize(2);
              SagaAdmin admin = ctx.getBean(SagaAdmin.class);

              UUID ok = start(db.dataSource(), sagas, new Order("order-ok", 10));
              await()
                  .atMost(Duration.ofSeconds(60))
                  .until(() -> admin.byId(ok).orElseThrow().state() == SagaState.COMPLETED);
              assertThat(effects(db.dataSource(), "order-ok", "reserve")).isEqualTo(1);
              assertThat(effects(db.dataSource(), "order-ok", "charge")).isEqualTo(1);
              assertThat(effects(db.dataSource(), "order-ok", "confirm")).isEqualTo(1);

              // the charge is refused; releasing the stock fails: COMPENSATION_FAILED
              UUID bad = start(db.dataSource(), sagas, new Order(failing, 5000));
              await()
                  .atMost(Duration.ofSeconds(60))
                  .until(
                      () -> admin.byId(bad).orElseThrow().state() == SagaState.COMPENSATION_FAILED);
              Health health = KeelActuatorIT.health(ctx, "sagas");
              assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
              assertThat(health.getDetails()).containsEntry("compensationFailed", 1);
              assertThat(health.getDetails().get("compensationFailedSagas").toString())
                  .contains(bad.toString());

              FAILING_RELEASES.remove(failing);
              KeelOperationsEndpoint endpoint = ctx.getBean(KeelOperationsEndpoint.class);
              endpoint.operate(
                  "saga",
                  bad.toString(),
                  "retry-compensation",
                  "warehouse open again",
                  OpsApps.as("bob"));
              await()
                  .atMost(Duration.ofSeconds(60))
                  .until(() -> admin.byId(bad).orElseThrow().state() == SagaState.COMPENSATED);
              assertThat(effects(db.dataSource(), failing, "release")).isEqualTo(1);
              assertThat(admin.audit(bad))
                  .singleElement()
                  .satisfies(
                      a -> {
                        assertThat(a.actor()).isEqualTo("bob");
                        assertThat(a.reason()).isEqualTo("warehouse open again");
                      });
              assertThat(KeelActuatorIT.health(ctx, "sagas").getStatus()).isEqualTo(Status.UP);
              assertThat(
                      KeelActuatorIT.m(endpoint.item("saga", bad.toString()))
                          .get("audit")
                          .toString())
                  .contains("bob");
            });
    assertThat(lifecycles.values()).allSatisfy(l -> assertThat(l.isRunning()).isFalse());
    assertThatThrownBy(() -> orchestrator.get().start())
        .as("the orchestrator was closed")
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> participants.get().runtime().start())
        .as("the participants' runtime was closed")
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closingTheContextWaitsForTheCommandAParticipantIsHandling(
      IsolatedDatabase db, KafkaBroker kafka, Topics topics) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE ship_effect (order_id VARCHAR(64) NOT NULL, what VARCHAR(32))");
    }
    SagaTopics t =
        new SagaTopics(
            topics.create("stock", 1), topics.create("payments", 1), topics.create("replies", 1));
    OpsApps.app(db, kafka)
        .withUserConfiguration(ShipOrder.class)
        .withBean(SagaTopics.class, () -> t)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              start(db.dataSource(), ctx.getBean(SagaOrchestrator.class), new Order(SLOW, 10));
              assertThat(SLOW_ENTERED.await(60, TimeUnit.SECONDS))
                  .as("the reserve command reached its handler")
                  .isTrue();
              KeelLifecycle participants =
                  ctx.getBean("keelSagaParticipantsLifecycle", KeelLifecycle.class);
              Thread closer = new Thread(ctx::close, "context-close");
              closer.start();
              await().atMost(Duration.ofSeconds(30)).until(() -> !participants.isRunning());
              assertThat(closer.isAlive()).as("close waits for the handler").isTrue();
              SLOW_RELEASE.countDown();
              closer.join(TimeUnit.SECONDS.toMillis(60));
              assertThat(closer.isAlive()).isFalse();
            });
    assertThat(effects(db.dataSource(), SLOW, "reserve"))
        .as("the handler in flight finished and committed before the data source closed")
        .isEqualTo(1);
  }
}
