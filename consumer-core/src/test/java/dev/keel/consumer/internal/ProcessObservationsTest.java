package dev.keel.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.consumer.ListenerDefinition;
import dev.keel.consumer.observation.ConsumerProcessContext;
import dev.keel.consumer.observation.DefaultConsumerProcessObservationConvention;
import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.observation.MessagingAttributes;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The handler observation: {@code process <topic>} with the messaging key values, current while the
 * handler runs, its error recorded and rethrown; nothing at all when the registry observes nothing.
 */
class ProcessObservationsTest {
  private final Event event =
      Event.builder()
          .type("order.placed")
          .topic("orders")
          .key("customer-42")
          .source("test")
          .traceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
          .payload("{}".getBytes(StandardCharsets.UTF_8))
          .build();
  private final ListenerDefinition listener =
      ListenerDefinition.builder().topic("orders").group("billing").handler(d -> {}).build();
  private final Prepared prepared = new Prepared(event, listener, null, "k", 3, 17);
  private final ConsumerRecord<byte[], byte[]> record =
      new ConsumerRecord<>(
          "orders",
          3,
          17,
          0L,
          TimestampType.CREATE_TIME,
          0,
          0,
          "customer-42".getBytes(StandardCharsets.UTF_8),
          "{}".getBytes(StandardCharsets.UTF_8),
          KafkaRecords.headersOf(event),
          Optional.empty());

  @Test
  void aHandlerRunsInsideItsObservation() throws Exception {
    TestObservationRegistry registry = TestObservationRegistry.create();
    ProcessObservations observations = new ProcessObservations(registry, null);
    assertThat(observations.off()).isFalse();
    AtomicReference<Observation> current = new AtomicReference<>();
    observations.observe(
        prepared, record, "billing", 1, () -> current.set(registry.getCurrentObservation()));
    assertThat(current.get()).isNotNull();
    assertThat(current.get().getContext()).isInstanceOf(ConsumerProcessContext.class);
    assertThat(registry.getCurrentObservation()).isNull();
    TestObservationRegistryAssert.assertThat(registry)
        .hasSingleObservationThat()
        .hasNameEqualTo(DefaultConsumerProcessObservationConvention.NAME)
        .hasContextualNameEqualTo("process orders")
        .hasBeenStarted()
        .hasBeenStopped()
        .doesNotHaveError()
        .hasLowCardinalityKeyValue(MessagingAttributes.SYSTEM, "kafka")
        .hasLowCardinalityKeyValue(MessagingAttributes.OPERATION_TYPE, "process")
        .hasLowCardinalityKeyValue(MessagingAttributes.OPERATION_NAME, "process")
        .hasLowCardinalityKeyValue(MessagingAttributes.DESTINATION_NAME, "orders")
        .hasLowCardinalityKeyValue(MessagingAttributes.KAFKA_CONSUMER_GROUP, "billing")
        .hasHighCardinalityKeyValue(MessagingAttributes.MESSAGE_ID, event.id().toString())
        .hasHighCardinalityKeyValue(MessagingAttributes.DESTINATION_PARTITION_ID, "3")
        .hasHighCardinalityKeyValue(MessagingAttributes.KAFKA_OFFSET, "17")
        .doesNotHaveHighCardinalityKeyValueWithKey(MessagingAttributes.KAFKA_MESSAGE_KEY);
    TestObservationRegistryAssert.assertThat(registry)
        .hasHandledContextsThatSatisfy(
            contexts -> {
              ConsumerProcessContext c = (ConsumerProcessContext) contexts.get(0);
              assertThat(c.getGetter().get(c.getCarrier(), "traceparent"))
                  .isEqualTo(event.traceParent().orElseThrow());
              assertThat(c.attempt()).isEqualTo(1);
              assertThat(c.listener()).isEqualTo(listener.name());
            });
  }

  @Test
  void aFailingHandlerRecordsItsErrorAndRethrowsIt() {
    TestObservationRegistry registry = TestObservationRegistry.create();
    ProcessObservations observations = new ProcessObservations(registry, null);
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(
            () ->
                observations.observe(
                    prepared,
                    record,
                    "billing",
                    2,
                    () -> {
                      throw boom;
                    }))
        .isSameAs(boom);
    TestObservationRegistryAssert.assertThat(registry)
        .hasSingleObservationThat()
        .hasBeenStopped()
        .hasError(boom)
        .hasHighCardinalityKeyValue(
            MessagingAttributes.ERROR_TYPE, IllegalStateException.class.getName());
    assertThat(registry.getCurrentObservation()).isNull();
  }

  @Test
  void offWithoutARegistryOrHandlers() {
    assertThat(new ProcessObservations(ObservationRegistry.NOOP, null).off()).isTrue();
    assertThat(new ProcessObservations(null, null).off()).isTrue();
    assertThat(new ProcessObservations(ObservationRegistry.create(), null).off()).isTrue();
  }
}
