package dev.keel.dlq;

import static dev.keel.dlq.testing.KafkaIo.count;
import static dev.keel.dlq.testing.KafkaIo.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.micrometer.DlqMetrics;
import dev.keel.dlq.spi.PayloadRedactor;
import dev.keel.dlq.testing.ConsumerLoop;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelMeters;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.retry.Failure;
import dev.keel.retry.FailureClassifier;
import dev.keel.retry.InPlaceRetry;
import dev.keel.retry.RetryDecision;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Issue 4: permanent failures and undeserializable bytes land in the DLQ topic and table. */
@KeelTest
class DeadLetterPublisherIT {

  static final class CardDeclined extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CardDeclined(String message) {
      super(message);
    }
  }

  private static final PayloadRedactor MASK_CARD =
      new PayloadRedactor() {
        @Override
        public byte[] redact(FailedRecord record, byte[] payload) {
          return new String(payload, StandardCharsets.UTF_8)
              .replaceAll("\"card\":\"[0-9]+\"", "\"card\":\"****\"")
              .getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String redactMessage(String message) {
          return message.replaceAll("[0-9]{12,}", "****");
        }

        @Override
        public byte[] redactHeader(FailedRecord record, String name, byte[] value) {
          if (name.equals("authorization")) {
            return KafkaIo.utf8("Bearer ****");
          }
          return name.equals("x-session") ? null : value;
        }
      };

  @Test
  void permanentFailureLandsInTopicAndTableAfterNAttemptsWithEveryHeaderAndNoStackTrace(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("payments", 3);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DlqMetrics metrics = DlqMetrics.bind(registry, store);
    ManualTime time = new ManualTime();
    InPlaceRetry retry =
        InPlaceRetry.builder()
            .policy(
                RetryPolicy.builder()
                    .maxAttempts(4)
                    .initialDelay(Duration.ofMillis(100))
                    .jitter(0)
                    .build())
            .sleeper(time.sleeper())
            .clock(time.clock())
            .build();
    UUID id = UUID.randomUUID();
    List<FailedRecord.Header> headers = new ArrayList<>(KafkaIo.envelope(id));
    headers.add(FailedRecord.Header.of("tenant", "acme"));
    headers.add(FailedRecord.Header.of("authorization", "Bearer eyJ-secret-token"));
    headers.add(FailedRecord.Header.of("x-session", "s-0042-secret"));
    byte[] payload = KafkaIo.utf8("{\"order\":\"o-1\",\"card\":\"4111111111111111\"}");
    List<Integer> attemptsSeen = new ArrayList<>();
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .redactor(MASK_CARD)
                .clock(time.clock())
                .listener(metrics)
                .build()) {
      kafka.send(topic, "o-1", payload, headers);
      try (ConsumerLoop loop =
          new ConsumerLoop(
              kafka,
              "billing",
              List.of(topic),
              retry,
              publisher,
              r -> {
                attemptsSeen.add(1);
                throw new CardDeclined("card 4111111111111111 declined\nforged: log line");
              })) {
        loop.runUntilSeen(1);
        assertThat(loop.deadLettered()).isEqualTo(1);
      }

      List<ConsumerRecord<byte[], byte[]>> dlq = kafka.readAll(topic + ".dlq", 1);
      assertThat(dlq).hasSize(1);
      ConsumerRecord<byte[], byte[]> d = dlq.get(0);
      assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo("o-1");
      assertThat(new String(d.value(), StandardCharsets.UTF_8))
          .isEqualTo("{\"order\":\"o-1\",\"card\":\"****\"}");
      assertThat(header(d, "keel-event-id")).isEqualTo(id.toString());
      assertThat(header(d, "keel-event-type")).isEqualTo("order.placed");
      assertThat(header(d, "tenant")).isEqualTo("acme");
      // the redactor sees every header but Keel's own: masked, or left out
      assertThat(header(d, "authorization")).isEqualTo("Bearer ****");
      assertThat(d.headers().lastHeader("x-session")).isNull();
      assertThat(header(d, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
      assertThat(header(d, DeadLetterHeaders.ORIGINAL_PARTITION)).matches("[0-2]");
      assertThat(header(d, DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo("0");
      assertThat(header(d, DeadLetterHeaders.REASON)).isEqualTo("unknown");
      assertThat(header(d, DeadLetterHeaders.EXCEPTION)).isEqualTo(CardDeclined.class.getName());
      assertThat(header(d, DeadLetterHeaders.EXCEPTION_MESSAGE))
          .isEqualTo("card **** declined forged: log line");
      assertThat(header(d, DeadLetterHeaders.ATTEMPTS)).isEqualTo("4");
      assertThat(header(d, DeadLetterHeaders.FIRST_FAILURE))
          .isEqualTo(time.now().minusMillis(700).toString());
      assertThat(header(d, DeadLetterHeaders.LAST_FAILURE)).isEqualTo(time.now().toString());
      assertThat(header(d, DeadLetterHeaders.GROUP)).isEqualTo("billing");
      assertThat(header(d, DeadLetterHeaders.STACK_TRACE)).isNull();
      assertThat(attemptsSeen).hasSize(4);

      DeadLetter row = store.find(DeadLetterQuery.builder().topic(topic).build()).get(0);
      assertThat(row.group()).isEqualTo("billing");
      assertThat(row.keyText()).isEqualTo("o-1");
      assertThat(row.eventId()).isEqualTo(id.toString());
      assertThat(row.reason()).isEqualTo(FailureClass.UNKNOWN);
      assertThat(row.attempts()).isEqualTo(4);
      assertThat(row.stackTrace()).isNull();
      assertThat(row.exceptionMessage()).doesNotContain("4111");
      assertThat(new String(row.payload(), StandardCharsets.UTF_8)).doesNotContain("4111");
      assertThat(row.headers())
          .containsExactlyElementsOf(
              headers.stream()
                  .filter(h -> !h.name().equals("x-session"))
                  .map(
                      h ->
                          h.name().equals("authorization")
                              ? FailedRecord.Header.of("authorization", "Bearer ****")
                              : h)
                  .toList());
      assertThat(row.status()).isEqualTo(DeadLetterStatus.DEAD);
      assertThat(row.firstFailure()).isEqualTo(time.now().minusMillis(700));
      assertThat(row.createdAt()).isEqualTo(time.now());

      // the DLQ topic was created with the source's partition count
      try (Admin admin = Admin.create(broker.clientProperties())) {
        int partitions =
            admin
                .describeTopics(List.of(topic + ".dlq"))
                .allTopicNames()
                .get()
                .get(topic + ".dlq")
                .partitions()
                .size();
        assertThat(partitions).isEqualTo(3);
      }
      assertThat(registry.get(KeelMeters.DLQ_RECORDS).tag("reason", "unknown").counter().count())
          .isEqualTo(1.0);
      assertThat(registry.get(KeelMeters.DLQ_PARKED_KEYS).gauge().value()).isZero();
      metrics.close();
      assertThat(registry.find(KeelMeters.DLQ_RECORDS).counters()).isEmpty();
    }
  }

  @Test
  void undeserializableBytesLandInTheDlqUnchanged(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("orders", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0x00, 0x7b, (byte) 0xc3, 0x28, 0x01};
    List<FailedRecord.Header> headers =
        List.of(
            FailedRecord.Header.of("keel-event-id", "not-a-uuid"),
            new FailedRecord.Header("binary", new byte[] {(byte) 0xc3, 0x28}));
    FailureClassifier classifier = FailureClassifier.defaults();
    RetryPolicy policy = RetryPolicy.defaults();
    List<RetryDecision> decisions = new ArrayList<>();
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .build()) {
      kafka.send(topic, "k-1", garbage, headers);
      InPlaceRetry retry = InPlaceRetry.builder().policy(policy).classifier(classifier).build();
      try (ConsumerLoop loop =
          new ConsumerLoop(
              kafka,
              "shipping",
              List.of(topic),
              retry,
              publisher,
              r -> {
                try {
                  KafkaRecords.toEvent(r);
                } catch (RuntimeException e) {
                  decisions.add(policy.decide(classifier.classify(e), 1));
                  throw e;
                }
              })) {
        loop.runUntilSeen(1);
      }
      assertThat(decisions).hasSize(1);
      assertThat(decisions.get(0).failureClass()).isEqualTo(FailureClass.DESERIALIZATION);
      assertThat(decisions.get(0).retry()).isFalse();

      ConsumerRecord<byte[], byte[]> d = kafka.readAll(topic + ".dlq", 1).get(0);
      assertThat(d.value()).isEqualTo(garbage);
      assertThat(d.headers().lastHeader("binary").value())
          .isEqualTo(new byte[] {(byte) 0xc3, 0x28});
      assertThat(header(d, DeadLetterHeaders.REASON)).isEqualTo("deserialization");
      assertThat(header(d, DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
      DeadLetter row = store.find(DeadLetterQuery.builder().topic(topic).build()).get(0);
      assertThat(row.payload()).isEqualTo(garbage);
      assertThat(row.reason()).isEqualTo(FailureClass.DESERIALIZATION);
      assertThat(row.eventId()).as("an invalid event id is not trusted").isNull();
      assertThat(row.headers())
          .containsExactlyElementsOf(
              headers.stream()
                  .filter(h -> !h.name().equals("x-session"))
                  .map(
                      h ->
                          h.name().equals("authorization")
                              ? FailedRecord.Header.of("authorization", "Bearer ****")
                              : h)
                  .toList());
    }
  }

  /** A payload of the consumer's JSON contract, decoded by type. */
  public record OrderPlaced(String order, int quantity) {}

  @Test
  void aValidEnvelopeWhosePayloadCannotBeDecodedLandsInTheDlqByteForByte(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("parcels", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    // not UTF-8, not JSON: bytes no decoder can read, behind a correct keel-* envelope
    byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0x00, 0x7b, (byte) 0xc3, 0x28, 0x01, 0x22};
    UUID id = UUID.randomUUID();
    List<FailedRecord.Header> headers = KafkaIo.envelope(id);
    FailureClassifier classifier = FailureClassifier.defaults();
    JsonCodec codec = JsonCodec.create();
    List<FailureClass> classified = new ArrayList<>();
    List<Event> envelopes = new ArrayList<>();
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .build()) {
      kafka.send(topic, "p-1", garbage, headers);
      InPlaceRetry retry =
          InPlaceRetry.builder().policy(RetryPolicy.defaults()).classifier(classifier).build();
      try (ConsumerLoop loop =
          new ConsumerLoop(
              kafka,
              "dispatch",
              List.of(topic),
              retry,
              publisher,
              r -> {
                Event event = KafkaRecords.toEvent(r); // the envelope is valid: this passes
                envelopes.add(event);
                try {
                  codec.decode(event.payload(), OrderPlaced.class);
                } catch (RuntimeException e) {
                  classified.add(classifier.classify(e));
                  throw e;
                }
              })) {
        loop.runUntilSeen(1);
        assertThat(loop.deadLettered()).isEqualTo(1);
      }
      assertThat(envelopes).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo(id));
      assertThat(classified).containsExactly(FailureClass.DESERIALIZATION);

      ConsumerRecord<byte[], byte[]> d = kafka.readAll(topic + ".dlq", 1).get(0);
      assertThat(d.value()).isEqualTo(garbage);
      assertThat(header(d, "keel-event-id")).isEqualTo(id.toString());
      assertThat(header(d, DeadLetterHeaders.REASON)).isEqualTo("deserialization");
      assertThat(header(d, DeadLetterHeaders.ATTEMPTS)).isEqualTo("1");
      DeadLetter row = store.find(DeadLetterQuery.builder().topic(topic).build()).get(0);
      assertThat(row.payload()).isEqualTo(garbage);
      assertThat(row.reason()).isEqualTo(FailureClass.DESERIALIZATION);
      assertThat(row.eventId()).isEqualTo(id.toString());
      assertThat(row.headers())
          .containsExactlyElementsOf(
              headers.stream()
                  .filter(h -> !h.name().equals("x-session"))
                  .map(
                      h ->
                          h.name().equals("authorization")
                              ? FailedRecord.Header.of("authorization", "Bearer ****")
                              : h)
                  .toList());
    }
  }

  @Test
  void stackTracesOnlyWhenEnabledAndPublishingTwiceStoresOneRow(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("stock", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    FailedRecord record =
        new FailedRecord(topic, 0, 41L, KafkaIo.utf8("sku-1"), KafkaIo.utf8("{}"), List.of());
    Failure failure =
        Failure.once(
            "inventory",
            FailureClass.BUSINESS,
            new IllegalArgumentException("no such sku"),
            java.time.Instant.now());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<DeadLetter> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (KafkaIo kafka = new KafkaIo(broker);
        DlqMetrics metrics = DlqMetrics.bind(registry, store);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .includeStackTraces(true)
                .listener(metrics)
                .listener(
                    new dev.keel.dlq.spi.DeadLetterListener() {
                      @Override
                      public void onDeadLettered(DeadLetter deadLetter) {
                        heard.add(deadLetter);
                      }
                    })
                .build()) {
      DeadLetter first = publisher.publish(record, failure);
      DeadLetter again = publisher.publish(record, failure);
      assertThat(again.id()).isEqualTo(first.id());
      // the retried publish found the stored row: one dead letter, counted and heard once
      assertThat(heard).extracting(DeadLetter::id).containsExactly(first.id());
      assertThat(registry.get(KeelMeters.DLQ_RECORDS).tag("reason", "business").counter().count())
          .isEqualTo(1.0);
      assertThat(first.stackTrace()).contains("IllegalArgumentException", "at ");
      assertThat(store.find(DeadLetterQuery.builder().topic(topic).build())).hasSize(1);
      List<ConsumerRecord<byte[], byte[]>> dlq = kafka.readAll(topic + ".dlq", 1);
      assertThat(dlq).as("the repeated publish did not send a second copy").hasSize(1);
      assertThat(header(dlq.get(0), DeadLetterHeaders.STACK_TRACE))
          .contains("IllegalArgumentException");
      assertThat(count(dlq.get(0), DeadLetterHeaders.STACK_TRACE)).isEqualTo(1);
    }
  }
}
