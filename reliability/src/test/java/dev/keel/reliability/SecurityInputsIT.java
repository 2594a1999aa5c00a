package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.event.Event;
import dev.keel.event.EventHeaders;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.KeelException;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.InvalidEventException;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.QuarantinedEvent;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Scenario 10. Hostile inputs: table prefixes and schemas carrying SQL, forged type, version,
 * attempt and delay headers, secrets in client properties, oversized payloads and headers. Each
 * gets a clear error where it enters, and nothing behind it stalls.
 */
@KeelTest
class SecurityInputsIT {

  @Test
  void hostileTableNamesAreRefusedNamingTheProperty() {
    List<String> prefixes =
        List.of(
            "\"; drop table x; --",
            "keel_outbox; delete from keel_outbox; --",
            "Keel_",
            "keel_\u0000",
            "k".repeat(200),
            "pg_catalog.keel_");
    for (String p : prefixes) {
      assertThatThrownBy(() -> TableNames.withPrefix(p))
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("TableNames.prefix");
    }
    assertThatThrownBy(() -> TableNames.of("public; drop schema public cascade", "keel_"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("TableNames.schema");
    new Figures("10a hostile table prefixes")
        .add("prefixes refused", prefixes.size())
        .add("schemas refused", 1)
        .print(null);
  }

  @Test
  void forgedHeadersNeitherStallNorSteerTheConsumer(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("forged", 1);
    try (Pipeline p = new Pipeline(broker, topic, db)) {
      List<UUID> good = new ArrayList<>();
      int forged = 0;
      try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
        for (int i = 0; i < 20; i++) {
          Event e = event(topic, "k" + (i % 3), "{}");
          good.add(e.id());
          ProducerRecord<byte[], byte[]> r = KafkaRecords.toProducerRecord(e);
          // forged retry state on a valid event: must not delay it nor raise its attempt count
          r.headers().add("keel-dlq-attempts", "2147483647".getBytes(StandardCharsets.UTF_8));
          r.headers()
              .add("keel-dlq-due-at", "9999-12-31T23:59:59Z".getBytes(StandardCharsets.UTF_8));
          r.headers().add("keel-dlq-delay", "PT876000H".getBytes(StandardCharsets.UTF_8));
          producer.send(r);
          ProducerRecord<byte[], byte[]> bad =
              KafkaRecords.toProducerRecord(event(topic, "x", "{}"));
          switch (i % 4) {
            case 0 -> replace(bad, EventHeaders.EVENT_TYPE, "java.lang.Runtime");
            case 1 -> replace(bad, EventHeaders.CONTRACT_VERSION, "99999999999999999999");
            case 2 -> replace(bad, EventHeaders.EVENT_ID, "x".repeat(200_000));
            default -> bad.headers().add(EventHeaders.EVENT_TYPE, "order.placed".getBytes());
          }
          producer.send(bad);
          forged++;
        }
        producer.flush();
      }
      List<Integer> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
      p.listener =
          () ->
              dev.keel.consumer.ListenerDefinition.builder()
                  .topic(topic)
                  .group(p.group)
                  .handler(
                      d -> {
                        attempts.add(d.attempt());
                        p.insertEffect(d);
                      })
                  .build();
      p.startConsumer();
      p.awaitGroupCaughtUp(Duration.ofSeconds(60));
      List<DeadLetter> dead =
          DeadLetterStore.builder()
              .dataSource(db.dataSource())
              .build()
              .find(DeadLetterQuery.builder().topic(topic).limit(1000).build());
      long effects = p.distinctEffects();
      new Figures("10b forged type, version, id and retry headers")
          .add("valid events with forged attempt/delay headers", good.size())
          .add("records with forged envelope headers", forged)
          .add("effects", effects)
          .add("dead letters", dead.size())
          .add(
              "highest attempt seen by the handler",
              attempts.stream().max(Integer::compare).orElse(0))
          .print(null);
      assertThat(effects).isEqualTo(good.size());
      assertThat(attempts).containsOnly(1);
      assertThat(dead).hasSize(forged);
      assertThat(dead).extracting(DeadLetter::reason).containsOnly(FailureClass.DESERIALIZATION);
      assertThat(dead).allSatisfy(d -> assertThat(d.exceptionMessage()).isNotBlank());
    }
  }

  @Test
  void secretsInClientPropertiesNeverReachTheLogs(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("secrets", 2);
    String jaas = "S3cr3t-jaas-" + UUID.randomUUID();
    String keyPassword = "S3cr3t-key-" + UUID.randomUUID();
    String token = "S3cr3t-token-" + UUID.randomUUID();
    Map<String, Object> secrets = new HashMap<>();
    secrets.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"relay\""
            + " password=\""
            + jaas
            + "\";");
    secrets.put("ssl.key.password", keyPassword);
    secrets.put("x-custom.auth.token", token); // not a Kafka setting: Kafka warns about it
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
    DeliveryReport report;
    System.setOut(tee);
    System.setErr(tee);
    try (Pipeline p = new Pipeline(broker, topic, db)) {
      p.clientOverrides.putAll(secrets);
      p.startRelay();
      p.startConsumer();
      new Workload(p, db.dataSource(), 500, 50, 1, 0.0, 0).start().join();
      p.awaitDelivered(Duration.ofSeconds(60));
      for (OutboxRelay r : List.copyOf(p.relays)) {
        p.stop(r);
      }
      for (ConsumerRuntime c : List.copyOf(p.consumers)) {
        p.stop(c);
      }
      report = p.check();
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    new Figures("10c secrets in client properties")
        .add("log bytes captured", logs.length())
        .add(
            "secret values found in the logs",
            count(logs, jaas) + count(logs, keyPassword) + count(logs, token))
        .print(report);
    assertThat(logs).contains("OutboxRelay"); // the capture did see Keel's own log lines
    assertThat(logs).doesNotContain(jaas).doesNotContain(keyPassword).doesNotContain(token);
    assertThat(report.ok()).as(report.toString()).isTrue();
  }

  @Test
  void oversizedPayloadsAndHeadersGetAClearErrorAndTheLaneGoesOn(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("oversized", 1);
    try (Pipeline p = new Pipeline(broker, topic, db)) {
      p.startRelay();
      p.startConsumer();
      Outbox strict = Outbox.builder().lanes(Pipeline.LANES).maxPayloadBytes(64 * 1024).build();
      Outbox lenient = Outbox.builder().lanes(Pipeline.LANES).maxPayloadBytes(8 << 20).build();
      String key = "same-key"; // everything on one key: one lane, one partition
      // 1. over the outbox limit: refused at append, inside the caller's transaction
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        Event tooBig = event(topic, key, "x".repeat(65 * 1024));
        assertThatThrownBy(() -> strict.append(c, tooBig))
            .isInstanceOf(InvalidEventException.class)
            .hasMessageContaining("payload");
        c.rollback();
      }
      // 2. within the outbox limit but above Kafka's request size: quarantined by the relay
      // 3. a huge extra header, same
      UUID bigPayload;
      UUID bigHeader;
      List<UUID> after = new ArrayList<>();
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        bigPayload = lenient.append(c, event(topic, key, "y".repeat(3 << 20)));
        Event headerHeavy =
            event(topic, key, "{}").toBuilder().header("x-blob", "z".repeat(3 << 20)).build();
        bigHeader = appendOrRefuse(lenient, c, headerHeavy);
        for (int i = 0; i < 10; i++) {
          after.add(lenient.append(c, event(topic, key, "{\"i\":" + i + "}")));
        }
        c.commit();
      }
      OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> p.logDistinct() >= after.size() && p.distinctEffects() >= after.size());
      List<QuarantinedEvent> quarantined = admin.quarantined(10);
      new Figures("10d oversized payloads and headers")
          .add("payload over the outbox limit", "refused at append")
          .add("payload over the producer's max.request.size", describe(quarantined, bigPayload))
          .add(
              "header over the producer's max.request.size",
              bigHeader == null ? "refused at append" : describe(quarantined, bigHeader))
          .add("later events of the same key published", p.logDistinct())
          .print(null);
      assertThat(quarantined).extracting(QuarantinedEvent::eventId).contains(bigPayload);
      if (bigHeader != null) {
        assertThat(quarantined).extracting(QuarantinedEvent::eventId).contains(bigHeader);
      }
      assertThat(quarantined).allSatisfy(q -> assertThat(q.error()).isNotBlank());
      assertThat(p.logDistinct()).isEqualTo(after.size());
    }
  }

  private static UUID appendOrRefuse(Outbox outbox, Connection c, Event e) {
    try {
      return outbox.append(c, e);
    } catch (KeelException refused) {
      assertThat(refused.getMessage()).containsIgnoringCase("header");
      return null;
    }
  }

  private static String describe(List<QuarantinedEvent> quarantined, UUID id) {
    return quarantined.stream()
        .filter(q -> q.eventId().equals(id))
        .findFirst()
        .map(q -> "quarantined: " + q.error())
        .orElse("NOT quarantined");
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  private static void replace(ProducerRecord<byte[], byte[]> r, String header, String value) {
    r.headers().remove(header);
    r.headers().add(header, value.getBytes(StandardCharsets.UTF_8));
  }

  private static Event event(String topic, String key, String payload) {
    return Event.builder()
        .type("item.added")
        .topic(topic)
        .key(key)
        .source("reliability")
        .payload(payload.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker broker) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put("acks", "all");
    props.put("max.request.size", 1 << 20);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
