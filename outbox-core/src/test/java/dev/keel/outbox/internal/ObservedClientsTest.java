package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.observation.MessagingAttributes;
import dev.keel.outbox.observation.DefaultOutboxSendObservationConvention;
import dev.keel.outbox.observation.OutboxSendContext;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The relay's publish observation: one {@code send <topic>} per record, stopped when Kafka answers
 * (with partition and offset, or with the error), reading trace context from the record's headers;
 * and no wrapper at all when the relay observes nothing.
 */
class ObservedClientsTest {
  private static final String EVENT_ID = "0190c4a4-0000-7000-8000-000000000001";
  private static final String TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final MockProducer<byte[], byte[]> mock =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final RelayClients plain =
      new RelayClients() {
        @Override
        public Producer<byte[], byte[]> producer(Map<String, Object> settings) {
          return mock;
        }

        @Override
        public Optional<Admin> admin(Map<String, Object> settings) {
          return Optional.empty();
        }
      };

  @Test
  void withoutARegistryTheRelaySendsThroughThePlainProducer() {
    assertThat(ObservedClients.of(plain, ObservationRegistry.NOOP, null)).isSameAs(plain);
    assertThat(ObservedClients.of(plain, null, null)).isSameAs(plain);
  }

  @Test
  void aSendIsObservedUntilKafkaAcknowledgesIt() {
    TestObservationRegistry registry = TestObservationRegistry.create();
    Producer<byte[], byte[]> producer =
        ObservedClients.of(plain, registry, null).producer(Map.of());
    Future<RecordMetadata> f = producer.send(record());
    TestObservationRegistryAssert.assertThat(registry)
        .hasSingleObservationThat()
        .hasNameEqualTo(DefaultOutboxSendObservationConvention.NAME)
        .hasBeenStarted()
        .isNotStopped();
    mock.completeNext();
    assertThat(f).isDone();
    TestObservationRegistryAssert.assertThat(registry)
        .hasSingleObservationThat()
        .hasBeenStopped()
        .hasContextualNameEqualTo("send orders")
        .doesNotHaveError()
        .hasLowCardinalityKeyValue(MessagingAttributes.SYSTEM, "kafka")
        .hasLowCardinalityKeyValue(MessagingAttributes.OPERATION_TYPE, "send")
        .hasLowCardinalityKeyValue(MessagingAttributes.OPERATION_NAME, "send")
        .hasLowCardinalityKeyValue(MessagingAttributes.DESTINATION_NAME, "orders")
        .hasHighCardinalityKeyValue(MessagingAttributes.MESSAGE_ID, EVENT_ID)
        .hasHighCardinalityKeyValueWithKey(MessagingAttributes.DESTINATION_PARTITION_ID)
        .hasHighCardinalityKeyValue(MessagingAttributes.KAFKA_OFFSET, "0")
        .doesNotHaveHighCardinalityKeyValueWithKey(MessagingAttributes.KAFKA_MESSAGE_KEY)
        .doesNotHaveHighCardinalityKeyValueWithKey(MessagingAttributes.ERROR_TYPE);
    TestObservationRegistryAssert.assertThat(registry)
        .hasHandledContextsThatSatisfy(
            contexts -> {
              OutboxSendContext c = (OutboxSendContext) contexts.get(0);
              // What a tracing handler extracts: the stored context, read from the record.
              assertThat(c.getGetter().get(c.getCarrier(), "traceparent")).isEqualTo(TP);
              assertThat(c.getGetter().get(c.getCarrier(), "tracestate")).isNull(); // not UTF-8
            });
  }

  @Test
  void aRefusedSendRecordsTheError() {
    TestObservationRegistry registry = TestObservationRegistry.create();
    Producer<byte[], byte[]> producer =
        ObservedClients.of(plain, registry, null).producer(Map.of());
    producer.send(record());
    mock.errorNext(new RecordTooLargeException("too large"));
    TestObservationRegistryAssert.assertThat(registry)
        .hasSingleObservationThat()
        .hasBeenStopped()
        .hasError()
        .hasHighCardinalityKeyValue(
            MessagingAttributes.ERROR_TYPE, RecordTooLargeException.class.getName())
        .doesNotHaveHighCardinalityKeyValueWithKey(MessagingAttributes.KAFKA_OFFSET);
  }

  @Test
  void aSendThatThrowsStopsItsObservationOnce() {
    TestObservationRegistry registry = TestObservationRegistry.create();
    Producer<byte[], byte[]> producer =
        ObservedClients.of(plain, registry, null).producer(Map.of());
    mock.close();
    assertThatThrownBy(() -> producer.send(record())).isInstanceOf(IllegalStateException.class);
    TestObservationRegistryAssert.assertThat(registry)
        .hasSingleObservationThat()
        .hasBeenStopped()
        .hasError();
  }

  @Test
  void aRegistryWithoutHandlersCreatesNoObservation() {
    ObservationRegistry registry = ObservationRegistry.create();
    Producer<byte[], byte[]> producer =
        ObservedClients.of(plain, registry, null).producer(Map.of());
    producer.send(record());
    mock.completeNext();
    assertThat(mock.history()).hasSize(1);
    assertThat(registry.getCurrentObservation()).isNull();
  }

  private static ProducerRecord<byte[], byte[]> record() {
    ProducerRecord<byte[], byte[]> r =
        new ProducerRecord<>("orders", null, utf8("customer-42"), utf8("{}"));
    r.headers().add("keel-event-id", utf8(EVENT_ID));
    r.headers().add("traceparent", utf8(TP));
    r.headers().add("tracestate", new byte[] {(byte) 0xc3, '('});
    return r;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
