package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.consumer.Delivery;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.outbox.Outbox;
import dev.keel.test.TestTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The participant helper on H2, without a broker: idempotent actions across attempts, empty
 * compensation, anti-hanging, and failure replies.
 */
class SagaParticipantTest {
  private static final AtomicInteger DB = new AtomicInteger();

  record Reserve(String orderId) {}

  static final StepContract<Reserve, Map> RESERVE =
      StepContract.builder("inventory", "stock.reserve", Reserve.class)
          .success("stock.reserved", Map.class)
          .failure("stock.unavailable")
          .build();
  static final StepContract<Reserve, Object> RELEASE =
      StepContract.builder("inventory", "stock.release", Reserve.class)
          .success("stock.released")
          .build();
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private static final Instant AT = TestTime.start().minus(Duration.ofDays(3));
  private JdbcDataSource ds;
  private final AtomicInteger actions = new AtomicInteger();
  private final AtomicInteger compensations = new AtomicInteger();
  private final AtomicReference<String> refuse = new AtomicReference<>();
  private ListenerDefinition action;
  private ListenerDefinition compensation;

  @BeforeEach
  void setUp() {
    ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:participant" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    SchemaInstaller installer = SchemaInstaller.builder().dataSource(ds).build();
    installer.install("outbox");
    installer.install("saga");
    List<ListenerDefinition> listeners =
        SagaParticipant.builder()
            .group("inventory")
            .outbox(Outbox.builder().lanes(1).build())
            .replyTopics("saga.replies")
            .meterRegistry(meters)
            .clock(Clock.fixed(AT, ZoneOffset.UTC))
            .onCommand(
                "inventory.commands",
                RESERVE,
                cmd -> {
                  if (refuse.get() != null) {
                    throw RESERVE.failure(
                        "stock.unavailable", FailureClass.valueOf(refuse.get()), "none left");
                  }
                  actions.incrementAndGet();
                  return Map.of("reservation", "r-" + cmd.payload().orderId());
                })
            .onCompensate(
                "inventory.commands",
                RELEASE,
                cmd -> {
                  compensations.incrementAndGet();
                  return null;
                })
            .build()
            .listeners();
    action = listeners.get(0);
    compensation = listeners.get(1);
  }

  @Test
  void aRetriedAttemptOfAnAppliedActionGetsTheStoredReplyWithoutRunningAgain() throws Exception {
    UUID saga = UUID.randomUUID();
    deliver(action, command(saga, "stock.reserve", "action", 1));
    deliver(action, command(saga, "stock.reserve", "action", 2));
    assertThat(actions).hasValue(1);
    List<Map<String, String>> replies = replies();
    assertThat(replies).hasSize(2);
    assertThat(replies)
        .allSatisfy(h -> assertThat(h).containsEntry("keel-saga-outcome", "success"));
    assertThat(replies.get(1)).containsEntry("keel-saga-attempt", "2");
    assertThat(types()).containsExactly("stock.reserved", "stock.reserved");
    assertThat(payloads().get(1)).contains("r-o-1");
  }

  @Test
  void theParticipantRowTakesItsTimeFromTheInjectedClock() throws Exception {
    UUID saga = UUID.randomUUID();
    deliver(action, command(saga, "stock.reserve", "action", 1));
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT updated_at FROM \"keel_saga_participant\"");
        ResultSet rs = ps.executeQuery()) {
      assertThat(rs.next()).isTrue();
      assertThat(SqlDialect.H2.getInstant(rs, 1)).isEqualTo(AT);
    }
    assertThatThrownBy(
            () ->
                SagaParticipant.builder()
                    .group("inventory")
                    .outbox(Outbox.builder().build())
                    .clock(null)
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("clock");
  }

  @Test
  void aCompensationBeforeItsActionIsEmptyAndTheLateActionIsIgnored() throws Exception {
    UUID saga = UUID.randomUUID();
    deliver(compensation, command(saga, "stock.release", "compensation", 1));
    assertThat(compensations).as("nothing to undo").hasValue(0);
    assertThat(types()).containsExactly("stock.released");
    assertThat(replies().get(0)).containsEntry("keel-saga-kind", "compensation");

    deliver(action, command(saga, "stock.reserve", "action", 1));
    assertThat(actions).as("anti-hanging: the late action has no effect").hasValue(0);
    assertThat(types()).as("and no reply").containsExactly("stock.released");
  }

  @Test
  void aCompensationAfterTheActionUndoesItOnce() throws Exception {
    UUID saga = UUID.randomUUID();
    deliver(action, command(saga, "stock.reserve", "action", 1));
    deliver(compensation, command(saga, "stock.release", "compensation", 1));
    deliver(compensation, command(saga, "stock.release", "compensation", 2));
    assertThat(compensations).hasValue(1);
    assertThat(types()).containsExactly("stock.reserved", "stock.released", "stock.released");
  }

  @Test
  void aStepFailureRepliesWithItsClassAndALaterAttemptRunsAgain() throws Exception {
    UUID saga = UUID.randomUUID();
    refuse.set("TRANSIENT");
    deliver(action, command(saga, "stock.reserve", "action", 1));
    assertThat(types()).containsExactly("stock.unavailable");
    assertThat(replies().get(0))
        .containsEntry("keel-saga-outcome", "failure")
        .containsEntry("keel-saga-failure-class", "TRANSIENT")
        .containsEntry("keel-saga-failure-reason", "none left");
    refuse.set(null);
    deliver(action, command(saga, "stock.reserve", "action", 2));
    assertThat(actions).hasValue(1);
    assertThat(types()).containsExactly("stock.unavailable", "stock.reserved");
  }

  @Test
  void aCommandNamingAReplyTopicOutsideTheAllowListIsRefused() throws Exception {
    UUID saga = UUID.randomUUID();
    Event forged = command(saga, "stock.reserve", "action", 1, "other-service.replies", TOKEN);
    assertThatThrownBy(() -> deliver(action, forged))
        .isInstanceOf(NonRetriableKeelException.class)
        .hasMessageContaining("reply topic other-service.replies not allowed");
    assertThat(actions).hasValue(0);
    assertThat(types()).isEmpty();
    assertThat(rejected("reply-topic")).isEqualTo(1);
  }

  @Test
  void aCompensationWithAnotherStepTokenDoesNotUndoTheAppliedAction() throws Exception {
    UUID saga = UUID.randomUUID();
    deliver(action, command(saga, "stock.reserve", "action", 1));
    Event forged =
        command(saga, "stock.release", "compensation", 1, "saga.replies", "f".repeat(32));
    assertThatThrownBy(() -> deliver(compensation, forged))
        .isInstanceOf(NonRetriableKeelException.class)
        .hasMessageContaining("step token");
    Event noToken = command(saga, "stock.release", "compensation", 1, "saga.replies", null);
    assertThatThrownBy(() -> deliver(compensation, noToken))
        .isInstanceOf(NonRetriableKeelException.class);
    assertThat(compensations).hasValue(0);
    assertThat(types()).containsExactly("stock.reserved");
    assertThat(rejected("step-token")).isEqualTo(2);

    deliver(compensation, command(saga, "stock.release", "compensation", 1));
    assertThat(compensations).as("the saga's own compensation still works").hasValue(1);
  }

  @Test
  void aRepliedFailureTypeOutsideTheContractIsAContractError() {
    StepContract<Reserve, Object> contract =
        StepContract.builder("inventory", "stock.reserve", Reserve.class)
            .success("stock.reserved")
            .failure("stock.unavailable")
            .build();
    assertThatThrownBy(() -> contract.failure("stock.gone", FailureClass.BUSINESS, "x"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("stock.gone is not declared");
  }

  @Test
  void aContractOfAnotherParticipantFailsWhenTheParticipantIsBuilt() {
    StepContract<Reserve, Object> payments =
        StepContract.builder("payments", "payment.authorize", Reserve.class)
            .success("payment.authorized")
            .build();
    assertThatThrownBy(
            () ->
                SagaParticipant.builder()
                    .group("inventory")
                    .outbox(Outbox.builder().build())
                    .replyTopics("saga.replies")
                    .onCommand("payments.commands", payments, cmd -> null)
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("names participant payments");
    assertThatThrownBy(
            () ->
                SagaParticipant.builder()
                    .group("inventory")
                    .outbox(Outbox.builder().build())
                    .onCommand("inventory.commands", RESERVE, cmd -> null)
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("replyTopics");
  }

  private double rejected(String reason) {
    var c = meters.find("keel.saga.commands.rejected").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private static Event command(UUID saga, String type, String kind, int attempt) {
    return command(saga, type, kind, attempt, "saga.replies", TOKEN);
  }

  private static Event command(
      UUID saga, String type, String kind, int attempt, String replyTo, String token) {
    Event.Builder b =
        Event.builder()
            .type(type)
            .topic("inventory.commands")
            .key("o-1")
            .source("order-fulfillment")
            .header(SagaHeaders.SAGA_ID, saga.toString())
            .header(SagaHeaders.SAGA_STEP, "reserve-stock")
            .header(SagaHeaders.KIND, kind)
            .header(SagaHeaders.ATTEMPT, Integer.toString(attempt))
            .header(SagaHeaders.REPLY_TO, replyTo)
            .payload("{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8));
    if (token != null) {
      b.header(SagaHeaders.STEP_TOKEN, token);
    }
    return b.build();
  }

  private void deliver(ListenerDefinition listener, Event event) throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      Object payload = JsonCodec.create().decode(event.payload(), Reserve.class);
      listener.handler().handle(new FakeDelivery(event, payload, c));
      c.commit();
    }
  }

  private List<String> types() throws Exception {
    return column("event_type");
  }

  private List<String> payloads() throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT payload FROM \"keel_outbox\" ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new String(rs.getBytes(1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private List<Map<String, String>> replies() throws Exception {
    List<Map<String, String>> out = new ArrayList<>();
    for (String json : column("headers")) {
      out.add(new ObjectMapper().readValue(json, new TypeReference<Map<String, String>>() {}));
    }
    return out;
  }

  private List<String> column(String name) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + name + " FROM \"keel_outbox\" ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** A delivery as the consumer runtime hands it over, on an H2 transaction. */
  private record FakeDelivery(Event event, Object decoded, Connection connection)
      implements Delivery {
    @Override
    @SuppressWarnings("unchecked")
    public <T> T payload() {
      return (T) decoded;
    }

    @Override
    public SqlDialect dialect() {
      return SqlDialect.H2;
    }

    @Override
    public String group() {
      return "inventory";
    }

    @Override
    public String idempotencyKey() {
      return event.id().toString();
    }

    @Override
    public int partition() {
      return 0;
    }

    @Override
    public long offset() {
      return 0;
    }

    @Override
    public int attempt() {
      return 1;
    }
  }
}
