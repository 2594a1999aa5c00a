package dev.keel.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetters;
import dev.keel.event.FailureClass;
import dev.keel.saga.SagaOrchestrator;
import dev.keel.saga.SagaState;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The order service as a whole, over HTTP, on the real broker and PostgreSQL: outcomes are read
 * from the database.
 */
@KeelTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TracingConfig.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OrderServiceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

  private static KafkaBroker kafka;
  private static IsolatedDatabase db;

  @BeforeAll
  static void backends(KafkaBroker broker, IsolatedDatabase database) {
    kafka = broker;
    db = database;
    kafka.createTopic(OrderPlaced.TOPIC, 3);
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    r.add("spring.datasource.url", () -> db.jdbcUrl());
    r.add("spring.datasource.username", () -> db.user());
    r.add("spring.datasource.password", () -> db.password());
    r.add("spring.kafka.bootstrap-servers", () -> kafka.bootstrapServers());
  }

  @LocalServerPort int port;
  @Autowired JdbcTemplate jdbc;
  @Autowired SagaOrchestrator sagas;
  @Autowired DeadLetters deadLetters;
  @Autowired InMemorySpanExporter spans;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aPlacedOrderIsConfirmedAndNotifiedOnceEvenWhenItsFactIsDeliveredTwice() throws Exception {
    int stockBefore = stock("paddle");
    HttpResponse<String> placed = post("Ada", "paddle", 2, "visa-1", "en");
    assertThat(placed.statusCode()).isEqualTo(201);
    assertThat(placed.body()).contains("\"status\":\"CONFIRMED\"", "\"sagaState\":\"COMPLETED\"");
    String id = id(placed);

    // Committed with the request: the order, its saga, the reservation and the payment.
    assertThat(stock("paddle")).isEqualTo(stockBefore - 2);
    assertThat(string("SELECT status FROM stock_reservation WHERE order_id = ?", id))
        .isEqualTo("RESERVED");
    assertThat(string("SELECT status FROM payment WHERE order_id = ?", id)).isEqualTo("AUTHORIZED");
    UUID sagaId = jdbc.queryForObject("SELECT saga_id FROM orders WHERE id = ?", UUID.class, id);
    assertThat(sagas.admin().byId(sagaId).orElseThrow().state()).isEqualTo(SagaState.COMPLETED);

    // The relay publishes order.placed; the listener writes one notification with its dedupe row.
    await().atMost(WAIT).until(() -> notifications(id) == 1);
    assertThat(string("SELECT body FROM notification WHERE order_id = ?", id))
        .isEqualTo("Thank you, Ada: order " + id + " is placed.");

    // The same record (same keel-event-id) delivered again: processed, no second notification.
    ConsumerRecord<byte[], byte[]> record = published(id);
    RecordMetadata again;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
      again =
          producer
              .send(
                  new ProducerRecord<>(
                      record.topic(),
                      record.partition(),
                      record.key(),
                      record.value(),
                      record.headers()))
              .get();
    }
    TopicPartition tp = new TopicPartition(again.topic(), again.partition());
    await().atMost(WAIT).until(() -> committed(Notifications.GROUP, tp) > again.offset());
    assertThat(notifications(id)).isEqualTo(1);
    assertThat(
            jdbc.queryForObject(
                "SELECT count(*) FROM keel_consumer_dedupe WHERE consumer_group = ?"
                    + " AND event_id = (SELECT event_id FROM notification WHERE order_id = ?)",
                Long.class,
                Notifications.GROUP,
                id))
        .isEqualTo(1);

    HttpResponse<String> got = get(id);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body()).contains("\"notifications\":1", "\"status\":\"CONFIRMED\"");
  }

  @Test
  void aDeclinedCardReleasesTheReservedStock() throws Exception {
    int stockBefore = stock("kayak");
    HttpResponse<String> placed = post("Bob", "kayak", 3, "declined-4000", "en");
    assertThat(placed.statusCode()).isEqualTo(201);
    assertThat(placed.body()).contains("\"status\":\"CANCELLED\"", "\"sagaState\":\"COMPENSATED\"");
    String id = id(placed);

    assertThat(stock("kayak")).as("the reservation was released").isEqualTo(stockBefore);
    assertThat(string("SELECT status FROM stock_reservation WHERE order_id = ?", id))
        .isEqualTo("RELEASED");
    assertThat(
            jdbc.queryForObject("SELECT count(*) FROM payment WHERE order_id = ?", Long.class, id))
        .isZero();
    UUID sagaId = jdbc.queryForObject("SELECT saga_id FROM orders WHERE id = ?", UUID.class, id);
    assertThat(sagas.admin().byId(sagaId).orElseThrow().log())
        .extracting(e -> e.kind() + (e.step() == null ? "" : ":" + e.step()))
        .containsExactly(
            "STARTED",
            "ACTION_DONE:reserve-stock",
            "ACTION_FAILED:authorize-payment",
            "COMPENSATED:reserve-stock",
            "COMPENSATED");
  }

  @Test
  void aNotificationThatCannotBeSentIsDeadLetteredAndReplayedAfterTheFix() throws Exception {
    HttpResponse<String> placed = post("Carl", "paddle", 1, "visa-2", "de");
    assertThat(placed.statusCode()).isEqualTo(201);
    String id = id(placed);
    DeadLetterQuery query =
        DeadLetterQuery.builder()
            .topic(OrderPlaced.TOPIC)
            .group(Notifications.GROUP)
            .key(id)
            .build();

    await().atMost(WAIT).until(() -> !deadLetters.list(query).isEmpty());
    List<DeadLetter> dead = deadLetters.list(query);
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).reason()).isEqualTo(FailureClass.VALIDATION);
    assertThat(dead.get(0).exceptionMessage()).contains("no greeting for locale de");
    assertThat(dead.get(0).status()).isEqualTo(DeadLetterStatus.DEAD);
    assertThat(notifications(id)).isZero();

    // The fix, then the operator's replay: the same event, processed this time.
    jdbc.update("INSERT INTO greeting VALUES ('de', 'Danke, %s: Bestellung %s ist aufgegeben.')");
    assertThat(deadLetters.replay(query, "test-operator").records()).isEqualTo(1);
    await().atMost(WAIT).until(() -> notifications(id) == 1);
    assertThat(string("SELECT event_id FROM notification WHERE order_id = ?", id))
        .isEqualTo(dead.get(0).eventId());
    assertThat(deadLetters.list(query))
        .extracting(DeadLetter::status)
        .containsExactly(DeadLetterStatus.REPLAYED);
    assertThat(deadLetters.replay(query, "test-operator").records())
        .as("replaying again does nothing")
        .isZero();
  }

  @Test
  void theRequestAndTheCreateSendAndProcessSpansShareOneTrace() throws Exception {
    spans.reset();
    HttpResponse<String> placed = post("Dora", "paddle", 1, "visa-3", "en");
    String id = id(placed);
    await().atMost(WAIT).until(() -> notifications(id) == 1);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              SpanData request = one(s -> s.getKind() == SpanKind.SERVER);
              String trace = request.getTraceId();
              List<String> inTrace =
                  spans.getFinishedSpanItems().stream()
                      .filter(s -> s.getTraceId().equals(trace))
                      .map(SpanData::getName)
                      .toList();
              assertThat(inTrace)
                  .contains(
                      "create " + OrderPlaced.TOPIC,
                      "send " + OrderPlaced.TOPIC,
                      "process " + OrderPlaced.TOPIC);
            });
    SpanData request = one(s -> s.getKind() == SpanKind.SERVER);
    SpanData create = one(s -> s.getName().equals("create " + OrderPlaced.TOPIC));
    assertThat(create.getTraceId()).isEqualTo(request.getTraceId());
    assertThat(create.getParentSpanId())
        .as("the append is a child of the request's span")
        .isEqualTo(request.getSpanId());
    SpanData process = one(s -> s.getName().equals("process " + OrderPlaced.TOPIC));
    assertThat(process.getTraceId()).isEqualTo(request.getTraceId());
  }

  private SpanData one(java.util.function.Predicate<SpanData> filter) {
    List<SpanData> found = spans.getFinishedSpanItems().stream().filter(filter).toList();
    assertThat(found)
        .as(
            "spans: %s",
            spans.getFinishedSpanItems().stream()
                .map(s -> s.getKind() + " " + s.getName())
                .toList())
        .hasSize(1);
    return found.get(0);
  }

  private HttpResponse<String> post(
      String customer, String sku, int quantity, String card, String locale) throws Exception {
    String body =
        String.format(
            "{\"customer\":\"%s\",\"sku\":\"%s\",\"quantity\":%d,\"card\":\"%s\",\"locale\":\"%s\"}",
            customer, sku, quantity, card, locale);
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/orders"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String id) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/orders/" + id)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String id(HttpResponse<String> response) {
    Matcher m = ID.matcher(response.body());
    assertThat(m.find()).as(response.body()).isTrue();
    return m.group(1);
  }

  private int stock(String sku) {
    return jdbc.queryForObject("SELECT available FROM stock WHERE sku = ?", Integer.class, sku);
  }

  private String string(String sql, Object... args) {
    return jdbc.queryForObject(sql, String.class, args);
  }

  private long notifications(String orderId) {
    return jdbc.queryForObject(
        "SELECT count(*) FROM notification WHERE order_id = ?", Long.class, orderId);
  }

  /** The order.placed record the relay published for the order. */
  private static ConsumerRecord<byte[], byte[]> published(String orderId) {
    Map<String, Object> p = new HashMap<>(kafka.clientProperties());
    p.put("group.id", "test-reader-" + UUID.randomUUID());
    p.put("auto.offset.reset", "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(OrderPlaced.TOPIC));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.key() != null && orderId.equals(new String(r.key()))) {
            return r;
          }
        }
      }
    }
    throw new AssertionError("no record for order " + orderId + " on " + OrderPlaced.TOPIC);
  }

  private static long committed(String group, TopicPartition tp) throws Exception {
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      OffsetAndMetadata o =
          admin
              .listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions())
              .partitionsToOffsetAndMetadata()
              .get()
              .get(tp);
      return o == null ? -1 : o.offset();
    }
  }
}
