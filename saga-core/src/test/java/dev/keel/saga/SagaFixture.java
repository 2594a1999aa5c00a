package dev.keel.saga;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.event.FailureClass;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * A 4-step order-fulfillment saga against the real broker and database: three participants
 * (inventory, payments, shipping) in one consumer runtime, a relay, and orchestrators. Every
 * participant effect is a row in {@code saga_effect}, so tests can count how often each action and
 * compensation was applied.
 */
final class SagaFixture implements AutoCloseable {
  static final String SAGA = "order-fulfillment";
  private static final AtomicInteger GROUPS = new AtomicInteger();

  /** The saga data. */
  record OrderData(String orderId, int amount, String authorization) {
    OrderData withAuthorization(String id) {
      return new OrderData(orderId, amount, id);
    }
  }

  /** The payment participant's reply. */
  record Authorized(String id) {}

  /** The {@code keel-source} of the three participants' replies. */
  static final String PARTICIPANT = "saga-participants";

  static final StepContract<OrderData, Map> RESERVE =
      failing("stock.reserve").success("stock.reserved", Map.class).build();
  static final StepContract<OrderData, Object> RELEASE =
      failing("stock.release").success("stock.released").build();
  static final StepContract<OrderData, Authorized> AUTHORIZE =
      failing("payment.authorize").success("payment.authorized", Authorized.class).build();
  static final StepContract<OrderData, Object> VOID =
      failing("payment.void").success("payment.voided").build();
  static final StepContract<OrderData, Map> SHIP =
      failing("shipment.create")
          .success("shipment.created", Map.class)
          .failure("shipment.refused", "shipment.delayed")
          .build();
  static final StepContract<OrderData, Object> CANCEL =
      failing("shipment.cancel").success("shipment.cancelled").build();

  /** A contract whose failure reply is {@code <command>-failed}, as {@link Script} throws. */
  private static StepContract.Builder<OrderData, Object> failing(String command) {
    return StepContract.builder(PARTICIPANT, command, OrderData.class).failure(command + "-failed");
  }

  /** What participants do, changed by tests. */
  static final class Script {
    final Map<String, AtomicInteger> transientFailures = new ConcurrentHashMap<>();
    final Set<String> businessFailures = ConcurrentHashMap.newKeySet();
    final Set<String> failingCompensations = ConcurrentHashMap.newKeySet();
    final Set<String> failingOrders = ConcurrentHashMap.newKeySet();
    final Set<String> failOnce = ConcurrentHashMap.newKeySet();
    final Map<String, String> refusalReasons = new ConcurrentHashMap<>();

    void check(String commandType, String orderId, int attempt) {
      String reason = refusalReasons.get(orderId);
      if (commandType.equals("shipment.create") && reason != null) {
        throw new SagaStepFailure("shipment.refused", FailureClass.BUSINESS, reason);
      }
      if (commandType.equals("shipment.create") && failingOrders.contains(orderId)) {
        throw new SagaStepFailure("shipment.refused", FailureClass.BUSINESS, "no carrier");
      }
      if (commandType.equals("shipment.create") && failOnce.contains(orderId) && attempt == 1) {
        throw new SagaStepFailure("shipment.delayed", FailureClass.TRANSIENT, "carrier busy");
      }
      AtomicInteger left = transientFailures.get(commandType);
      if (left != null && left.getAndDecrement() > 0) {
        throw new SagaStepFailure(commandType + "-failed", FailureClass.TRANSIENT, "try again");
      }
      if (businessFailures.contains(commandType) || failingCompensations.contains(commandType)) {
        throw new SagaStepFailure(commandType + "-failed", FailureClass.BUSINESS, "refused");
      }
    }
  }

  final KafkaBroker broker;
  final IsolatedDatabase db;
  final DataSource ds;
  final String inventory;
  final String payments;
  final String shipping;
  final String replies;
  final String outcomes;
  final Outbox outbox = Outbox.builder().lanes(4).build();
  final Script script = new Script();
  final SimpleMeterRegistry participantMeters = new SimpleMeterRegistry();
  volatile String liveSaga;
  final String participantGroup = "participants-" + GROUPS.incrementAndGet();
  private final List<AutoCloseable> open = new ArrayList<>();

  SagaFixture(KafkaBroker broker, Topics topics, IsolatedDatabase db) throws SQLException {
    this.broker = broker;
    this.db = db;
    this.ds = db.dataSource();
    this.inventory = topics.create("inventory", 2);
    this.payments = topics.create("payments", 2);
    this.shipping = topics.create("shipping", 2);
    this.replies = topics.create("saga-replies", 2);
    this.outcomes = topics.create("saga-outcomes", 1);
    SchemaInstaller installer = SchemaInstaller.builder().dataSource(ds).build();
    installer.install("outbox");
    installer.install("saga");
    exec(
        "CREATE TABLE IF NOT EXISTS saga_effect (order_id VARCHAR(64) NOT NULL, command VARCHAR(64) NOT NULL,"
            + " attempt INT NOT NULL)");
  }

  /** The 4-step definition; the shipping step's failure policy and step 2's topic can vary. */
  SagaDefinition<OrderData> definition(FailurePolicy shippingPolicy, String paymentTopic) {
    return definition(
        inventory, payments, shipping, replies, outcomes, shippingPolicy, paymentTopic, step -> {});
  }

  /**
   * The 4-step definition on the given topics; {@code hook} is called with the step name inside the
   * transaction that records the step's success (reply handlers and the local action).
   */
  static SagaDefinition<OrderData> definition(
      String inventory,
      String payments,
      String shipping,
      String replies,
      String outcomes,
      FailurePolicy shippingPolicy,
      String paymentTopic,
      Consumer<String> hook) {
    return definition(
        SAGA, inventory, payments, shipping, replies, outcomes, shippingPolicy, paymentTopic, hook);
  }

  /** The 4-step definition under another saga name. */
  static SagaDefinition<OrderData> definition(
      String name,
      String inventory,
      String payments,
      String shipping,
      String replies,
      String outcomes,
      FailurePolicy shippingPolicy,
      String paymentTopic,
      Consumer<String> hook) {
    return SagaDefinition.builder(name, OrderData.class)
        .replyTopic(replies)
        .outcomeTopic(outcomes)
        .commandKey(OrderData::orderId)
        .compensationRetry(
            RetryPolicy.builder()
                .maxAttempts(3)
                .initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofMillis(200))
                .build())
        .step(
            "reserve-stock",
            s ->
                s.command(
                        inventory,
                        RESERVE,
                        d -> d,
                        (d, r) -> {
                          hook.accept("reserve-stock");
                          return d;
                        })
                    .compensation(inventory, RELEASE, d -> d)
                    .timeout(Duration.ofSeconds(30)))
        .step(
            "authorize-payment",
            s ->
                s.command(
                        paymentTopic,
                        AUTHORIZE,
                        d -> d,
                        (d, r) -> {
                          hook.accept("authorize-payment");
                          return d.withAuthorization(r.id());
                        })
                    .compensation(payments, VOID, d -> d)
                    .timeout(Duration.ofSeconds(30)))
        .step(
            "create-shipment",
            s ->
                s.command(
                        shipping,
                        SHIP,
                        d -> d,
                        (d, r) -> {
                          hook.accept("create-shipment");
                          return d;
                        })
                    .compensation(shipping, CANCEL, d -> d)
                    .timeout(Duration.ofSeconds(30))
                    .onFailure(shippingPolicy))
        .step(
            "confirm-order",
            s ->
                s.local(
                        (tx, d) -> {
                          hook.accept("confirm-order");
                          effect(tx, d.orderId(), "order.confirm", 1);
                          return d;
                        })
                    .noCompensation())
        .build();
  }

  SagaDefinition<OrderData> definition() {
    return definition(FailurePolicy.compensate(), payments);
  }

  /** Starts the relay and the participants' consumer runtime. */
  void startServices() {
    OutboxRelay relay =
        OutboxRelay.builder()
            .dataSource(ds)
            .producerProperties(broker.clientProperties())
            .lanes(4)
            .pollInterval(Duration.ofMillis(50))
            .leaseDuration(Duration.ofSeconds(3))
            .closeTimeout(Duration.ofSeconds(10))
            .build();
    relay.start();
    open.add(relay);
    SagaParticipant.Builder p =
        SagaParticipant.builder()
            .group(participantGroup)
            .source(PARTICIPANT)
            .outbox(outbox)
            .replyTopics(replies)
            .meterRegistry(participantMeters);
    register(p, inventory, RESERVE, false);
    register(p, inventory, RELEASE, true);
    register(p, payments, AUTHORIZE, false);
    register(p, payments, VOID, true);
    register(p, shipping, SHIP, false);
    register(p, shipping, CANCEL, true);
    ConsumerRuntime.Builder rb =
        ConsumerRuntime.builder()
            .consumerProperties(consumerProps())
            .dataSource(ds)
            .pollTimeout(Duration.ofMillis(50))
            .closeTimeout(Duration.ofSeconds(10));
    p.build().listeners().forEach(rb::listener);
    ConsumerRuntime runtime = rb.build();
    runtime.start();
    open.add(runtime);
  }

  private void register(
      SagaParticipant.Builder p, String topic, StepContract<OrderData, ?> c, boolean undo) {
    String command = c.commandType();
    CommandHandler<OrderData> h =
        cmd -> {
          script.check(command, cmd.payload().orderId(), cmd.attempt());
          effect(cmd.connection(), cmd.payload().orderId(), command, cmd.attempt());
          return command.equals("payment.authorize")
              ? new Authorized("auth-" + cmd.payload().orderId())
              : null;
        };
    if (undo) {
      p.onCompensate(topic, c, h);
    } else {
      p.onCommand(topic, c, h);
    }
  }

  Map<String, Object> consumerProps() {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put("auto.offset.reset", "earliest");
    return props;
  }

  SagaOrchestrator.Builder orchestrator(SagaDefinition<?> def, Clock clock) {
    return SagaOrchestrator.builder()
        .dataSource(ds)
        .outbox(outbox)
        .consumerProperties(consumerProps())
        .consumerRuntime(
            b -> b.pollTimeout(Duration.ofMillis(50)).closeTimeout(Duration.ofSeconds(10)))
        .definition(def)
        .clock(clock)
        .scanInterval(Duration.ofMillis(50));
  }

  SagaOrchestrator started(SagaOrchestrator.Builder b) {
    SagaOrchestrator o = b.build();
    o.start();
    open.add(o);
    return o;
  }

  UUID start(SagaOrchestrator o, SagaDefinition<OrderData> def, String orderId)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      UUID id = o.start(c, def, new OrderData(orderId, 100, null));
      c.commit();
      return id;
    }
  }

  static void effect(Connection c, String orderId, String command, int attempt)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO saga_effect (order_id, command, attempt) VALUES (?, ?, ?)")) {
      ps.setString(1, orderId);
      ps.setString(2, command);
      ps.setInt(3, attempt);
      ps.executeUpdate();
    }
  }

  /** Effects of one order, command to count. */
  Map<String, Integer> effects(String orderId) throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT command, COUNT(*) FROM saga_effect WHERE order_id = ? GROUP BY command")) {
      ps.setString(1, orderId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return out;
  }

  /** The largest number of times any (order, command) effect was applied. */
  int maxEffectCount() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM saga_effect"
                    + " GROUP BY order_id, command) x")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  void exec(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  static List<String> kinds(SagaView view) {
    List<String> out = new ArrayList<>();
    for (StepLogEntry e : view.log()) {
      out.add(e.kind() + (e.step() == null ? "" : ":" + e.step()));
    }
    return out;
  }

  static UnaryOperator<SagaOrchestrator.Builder> same() {
    return b -> b;
  }

  @Override
  public void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }
}
