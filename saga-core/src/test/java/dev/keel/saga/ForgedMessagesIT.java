package dev.keel.saga;

import static dev.keel.saga.SagaLifecycleIT.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.saga.testing.SagaTestClock;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Records written straight to the reply and command topics with a raw KafkaProducer, as anyone who
 * can write those topics could: none of them changes the saga row or a participant's effects, and
 * each is counted in {@code keel.saga.replies.rejected} or {@code keel.saga.commands.rejected}.
 */
@KeelTest
class ForgedMessagesIT {

  @Test
  void forgedRepliesAreRefusedAndAnUnknownReplyTypeIsNotABusinessFailure(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db);
        KafkaProducer<byte[], byte[]> raw = producer(broker)) {
      f.startServices();
      // Nobody consumes step 2's command topic: the saga waits there for a reply.
      String silent = topics.create("silent", 1);
      SagaDefinition<OrderData> def = f.definition(FailurePolicy.compensate(), silent);
      SagaTestClock clock = SagaTestClock.at(TestTime.start());
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      SagaOrchestrator o =
          f.started(
              f.orchestrator(def, clock).scanInterval(Duration.ofHours(1)).meterRegistry(meters));
      UUID id = f.start(o, def, "o-f1");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "authorize-payment".equals(o.admin().byId(id).orElseThrow().step()));
      String commandId = column(f, "SELECT command_id FROM keel_saga WHERE id = ?", id);
      assertThat(commandId).as("the saga row stores the nonce of the command sent").isNotNull();
      Row before = row(f, id);

      send(raw, reply(f, id, "payment.authorized", null, SagaFixture.PARTICIPANT));
      awaitCount(meters, "keel.saga.replies.rejected", "missing-command-id");
      send(
          raw,
          reply(
              f, id, "payment.authorized", UUID.randomUUID().toString(), SagaFixture.PARTICIPANT));
      awaitCount(meters, "keel.saga.replies.rejected", "command-id");
      send(raw, reply(f, id, "payment.authorized", commandId, "attacker"));
      awaitCount(meters, "keel.saga.replies.rejected", "source");
      // The right nonce and source, with the success type of another step.
      send(raw, reply(f, id, "stock.reserved", commandId, SagaFixture.PARTICIPANT));
      awaitCount(meters, "keel.saga.replies.rejected", "unexpected-type");
      // A participant's typo: the right nonce and source, a type no contract declares.
      send(raw, reply(f, id, "payment.authorize-ok", commandId, SagaFixture.PARTICIPANT));
      awaitCount(meters, "keel.saga.replies.rejected", "unknown-type");
      await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(f, f.replies, null) == 2);
      assertThat(deadLetters(f, f.replies, "payment.authorize-ok")).isEqualTo(1);

      assertThat(row(f, id)).as("no forged reply changed the saga row").isEqualTo(before);
      assertThat(meters.get("keel.saga.replies.rejected").counters())
          .allSatisfy(c -> assertThat(c.getId().getTag("saga")).isEqualTo(SagaFixture.SAGA));
      assertThat(f.effects("o-f1")).isEqualTo(Map.of("stock.reserve", 1));

      // The step is not failed by the typo: it times out, and its compensation runs too.
      clock.advance(Duration.ofSeconds(31));
      assertThat(o.scanDeadlinesNow()).isEqualTo(1);
      SagaView done = awaitTerminal(o, id);
      assertThat(done.state()).isEqualTo(SagaState.COMPENSATED);
      assertThat(SagaFixture.kinds(done))
          .doesNotContain("ACTION_FAILED:authorize-payment")
          .containsSubsequence(
              "TIMED_OUT:authorize-payment",
              "COMPENSATION_SENT:authorize-payment",
              "COMPENSATED:authorize-payment",
              "COMPENSATED:reserve-stock");
    }
  }

  @Test
  void forgedCommandsAreRefusedByTheParticipant(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db);
        KafkaProducer<byte[], byte[]> raw = producer(broker)) {
      f.startServices();
      String silent = topics.create("silent", 1);
      SagaDefinition<OrderData> def = f.definition(FailurePolicy.compensate(), silent);
      SagaOrchestrator o = f.started(f.orchestrator(def, SagaTestClock.at(TestTime.start())));
      UUID id = f.start(o, def, "o-f2");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "authorize-payment".equals(o.admin().byId(id).orElseThrow().step()));
      Row before = row(f, id);
      f.liveSaga = id.toString();
      MeterRegistry meters = f.participantMeters;

      // A compensation copying the live saga's id and step, with a made-up token or none.
      send(raw, command(f, id, "stock.release", "compensation", f.replies, "f".repeat(32)));
      send(raw, command(f, id, "stock.release", "compensation", f.replies, null));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> count(meters, "keel.saga.commands.rejected", "step-token") == 2);
      // An action for the live saga and one for a new saga, both replying to another service.
      String foreign = topics.create("other-service-replies", 1);
      send(raw, command(f, id, "stock.reserve", "action", foreign, "a".repeat(32)));
      send(raw, command(f, UUID.randomUUID(), "stock.reserve", "action", foreign, "b".repeat(32)));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> count(meters, "keel.saga.commands.rejected", "reply-topic") == 2);
      await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(f, f.inventory, null) == 4);

      assertThat(f.effects("o-f2"))
          .as("the applied action was not undone")
          .isEqualTo(Map.of("stock.reserve", 1));
      assertThat(f.effects("o-forged")).isEmpty();
      assertThat(
              column(
                  f,
                  "SELECT action_state FROM keel_saga_participant WHERE saga_id = ?",
                  id.toString()))
          .isEqualTo("ACTION_APPLIED");
      assertThat(
              column(
                  f,
                  "SELECT COUNT(*) FROM keel_saga_participant WHERE saga_id <> ?",
                  id.toString()))
          .as("no participant row for the forged saga")
          .isEqualTo("0");
      assertThat(column(f, "SELECT COUNT(*) FROM keel_outbox WHERE topic = ?", foreign))
          .as("nothing was sent to the foreign topic")
          .isEqualTo("0");
      assertThat(row(f, id)).isEqualTo(before);
    }
  }

  /** What a forged record could change in the saga row. */
  private record Row(String state, String step, String attempt, long lockVersion, String logSize) {}

  private static Row row(SagaFixture f, UUID id) throws SQLException {
    try (Connection c = f.ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT state, step_name, attempt, lock_version,"
                    + " (SELECT COUNT(*) FROM keel_saga_step_log l WHERE l.saga_id = s.id)"
                    + " FROM keel_saga s WHERE id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Row(
            rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5));
      }
    }
  }

  private static String column(SagaFixture f, String sql, Object param) throws SQLException {
    try (Connection c = f.ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static long deadLetters(SagaFixture f, String topic, String eventType)
      throws SQLException {
    try (Connection c = f.ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT headers FROM keel_dead_letter WHERE topic = ?")) {
      ps.setString(1, topic);
      List<String> headers = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          headers.add(rs.getString(1));
        }
      }
      return headers.stream().filter(h -> eventType == null || h.contains(eventType)).count();
    }
  }

  private static Event reply(SagaFixture f, UUID id, String type, String commandId, String source) {
    Event.Builder b =
        Event.builder()
            .type(type)
            .topic(f.replies)
            .key("o-f1")
            .source(source)
            .header(SagaHeaders.SAGA_ID, id.toString())
            .header(SagaHeaders.SAGA_STEP, "authorize-payment")
            .header(SagaHeaders.KIND, SagaHeaders.KIND_ACTION)
            .header(SagaHeaders.ATTEMPT, "1")
            .header(SagaHeaders.OUTCOME, "success")
            .payload("{\"id\":\"forged\"}".getBytes(StandardCharsets.UTF_8));
    if (commandId != null) {
      b.header(SagaHeaders.COMMAND_ID, commandId);
    }
    return b.build();
  }

  private static Event command(
      SagaFixture f, UUID id, String type, String kind, String replyTo, String token) {
    String orderId = id.toString().equals(f.liveSaga) ? "o-f2" : "o-forged";
    Event.Builder b =
        Event.builder()
            .type(type)
            .topic(f.inventory)
            .key("o-f2")
            .source(SagaFixture.SAGA)
            .header(SagaHeaders.SAGA_ID, id.toString())
            .header(SagaHeaders.SAGA_STEP, "reserve-stock")
            .header(SagaHeaders.KIND, kind)
            .header(SagaHeaders.ATTEMPT, "1")
            .header(SagaHeaders.REPLY_TO, replyTo)
            .payload(
                ("{\"orderId\":\"" + orderId + "\",\"amount\":1,\"authorization\":null}")
                    .getBytes(StandardCharsets.UTF_8));
    if (token != null) {
      b.header(SagaHeaders.STEP_TOKEN, token);
    }
    return b.build();
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker broker) {
    return new KafkaProducer<>(
        broker.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void send(KafkaProducer<byte[], byte[]> raw, Event e) throws Exception {
    raw.send(KafkaRecords.toProducerRecord(e)).get();
  }

  private static void awaitCount(MeterRegistry meters, String name, String reason) {
    await().atMost(Duration.ofSeconds(30)).until(() -> count(meters, name, reason) >= 1);
    assertThat(count(meters, name, reason)).isEqualTo(1);
  }

  private static double count(MeterRegistry meters, String name, String reason) {
    Counter c = meters.find(name).tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }
}
