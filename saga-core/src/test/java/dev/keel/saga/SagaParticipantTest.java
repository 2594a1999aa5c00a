package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.consumer.Delivery;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.outbox.Outbox;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
            .onCommand(
                "inventory.commands",
                "stock.reserve",
                Reserve.class,
                "stock.reserved",
                cmd -> {
                  if (refuse.get() != null) {
                    throw new SagaStepFailure(
                        "stock.unavailable", FailureClass.valueOf(refuse.get()), "none left");
                  }
                  actions.incrementAndGet();
                  return Map.of("reservation", "r-" + cmd.payload().orderId());
                })
            .onCompensate(
                "inventory.commands",
                "stock.release",
                Reserve.class,
                "stock.released",
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

  private static Event command(UUID saga, String type, String kind, int attempt) {
    return Event.builder()
        .type(type)
        .topic("inventory.commands")
        .key("o-1")
        .source("order-fulfillment")
        .header(SagaHeaders.SAGA_ID, saga.toString())
        .header(SagaHeaders.SAGA_STEP, "reserve-stock")
        .header(SagaHeaders.KIND, kind)
        .header(SagaHeaders.ATTEMPT, Integer.toString(attempt))
        .header(SagaHeaders.REPLY_TO, "saga.replies")
        .payload("{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8))
        .build();
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
