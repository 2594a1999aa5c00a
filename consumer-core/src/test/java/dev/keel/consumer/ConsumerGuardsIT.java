package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.event.KeelConfigurationException;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** Settings that would break the offset-after-database rule or dedupe are refused at build. */
@KeelTest
class ConsumerGuardsIT {

  private static ListenerDefinition.Builder listener(String topic, String group) {
    return ListenerDefinition.builder()
        .topic(topic)
        .group(group)
        .payloadType(Item.class)
        .handler(d -> Fixture.insertEffect(d.connection(), d, 1));
  }

  @Test
  void autoCommitMustBeFalseAfterTrimmingAndCaseFolding(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    for (Object value : new Object[] {"true ", " TRUE", "yes", true, ""}) {
      Map<String, Object> props = new HashMap<>(Fixture.consumerProps(broker));
      props.put("enable.auto.commit", value);
      assertThatThrownBy(
              () ->
                  Fixture.runtime(broker, db.dataSource())
                      .consumerProperties(props)
                      .listener(listener(topic, Fixture.group()).build())
                      .build())
          .as("enable.auto.commit=[%s]", value)
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("ConsumerRuntime.consumerProperties enable.auto.commit")
          .hasMessageContaining("must be false");
    }
    // " False " is false: accepted, and the runtime commits offsets itself after the database
    Fixture.createEffectTable(db.dataSource());
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (int i = 0; i < 5; i++) {
        Fixture.send(p, Fixture.event(topic, "k" + i, i), 1);
      }
      p.flush();
      Fixture.checkSent();
    }
    Map<String, Object> props = new HashMap<>(Fixture.consumerProps(broker));
    props.put("enable.auto.commit", " False ");
    String group = Fixture.group();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .consumerProperties(props)
            .meterRegistry(meters)
            .listener(listener(topic, group).build())
            .build()) {
      runtime.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Fixture.committedTotal(broker, group) == 5);
      assertThat(Fixture.effects(db)).isEqualTo(5);
    }
  }

  @Test
  void twoBusinessKeyedListenersInOneGroupAreRefused(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("orders", 1);
    String group = Fixture.group();
    assertThatThrownBy(
            () ->
                Fixture.runtime(broker, db.dataSource())
                    .listener(
                        listener(topic, group)
                            .eventType("order.placed")
                            .idempotencyKey(IdempotencyKey.payloadField("key"))
                            .build())
                    .listener(
                        listener(topic, group)
                            .eventType("order.cancelled")
                            .idempotencyKey(IdempotencyKey.payloadField("key"))
                            .build())
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("order.placed")
        .hasMessageContaining("order.cancelled")
        .hasMessageContaining("of group " + group)
        .hasMessageContaining("business idempotency key");
    // also across topics of one group: the dedupe rows are per group
    assertThatThrownBy(
            () ->
                Fixture.runtime(broker, db.dataSource())
                    .listener(
                        listener(topic, group)
                            .idempotencyKey(IdempotencyKey.header("x-request-id"))
                            .build())
                    .listener(
                        listener(topics.create("other", 1), group)
                            .idempotencyKey(IdempotencyKey.payloadField("key"))
                            .build())
                    .build())
        .isInstanceOf(KeelConfigurationException.class);
    // one business key per group is fine, next to event-id listeners, or in another group
    Fixture.runtime(broker, db.dataSource())
        .listener(
            listener(topic, group)
                .eventType("order.placed")
                .idempotencyKey(IdempotencyKey.payloadField("key"))
                .build())
        .listener(listener(topic, group).eventType("order.cancelled").build())
        .listener(
            listener(topic, Fixture.group())
                .eventType("order.cancelled")
                .idempotencyKey(IdempotencyKey.payloadField("key"))
                .build())
        .build()
        .close();
  }
}
