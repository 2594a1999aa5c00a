package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.UnknownContractVersionException;
import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.EventContract;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.contract.FieldRole;
import dev.keel.event.contract.FieldType;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The payload class is chosen at run time by the event's type and contract version, never by a
 * header: v1 and v2 of one type decode into their own classes, an unregistered version is
 * dead-lettered as {@code CONTRACT_VERSION}, and headers naming a Java class change nothing.
 */
@KeelTest
class ContractDecodingIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** What the listener takes: either version. */
  sealed interface ItemPayload permits ItemV1, ItemV2 {}

  record ItemV1(String key, int seq) implements ItemPayload {}

  record ItemV2(String key, int seq, String note) implements ItemPayload {}

  /** Named by the forged headers. Building one would count. */
  static final class Forged {
    static final AtomicInteger BUILT = new AtomicInteger();
    public String key;

    Forged() {
      BUILT.incrementAndGet();
    }
  }

  private static EventContract contract(int version, Class<?> payload) {
    return EventContract.builder("item.added", version)
        .owner("test")
        .field(ContractField.required("key", FieldType.STRING, FieldRole.IDENTIFIER))
        .payloadType(payload)
        .build();
  }

  private static Event event(String topic, int version, String json) {
    return Event.builder()
        .type("item.added")
        .contractVersion(version)
        .topic(topic)
        .key("k")
        .source("test")
        .payload(json.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  /** The record of an event with extra headers that name a class. */
  private static ProducerRecord<byte[], byte[]> forged(Event e, String className) {
    ProducerRecord<byte[], byte[]> r = KafkaRecords.toProducerRecord(e);
    byte[] name = className.getBytes(StandardCharsets.UTF_8);
    r.headers().add("__TypeId__", name); // Spring Kafka's JSON type header
    r.headers().add("keel-payload-class", name);
    r.headers().add("spring.json.value.default.type", name);
    return r;
  }

  @Test
  void payloadClassFollowsTheContractVersionAndNeverAHeader(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    EventContracts contracts =
        EventContracts.builder()
            .register(contract(1, ItemV1.class))
            .register(contract(2, ItemV2.class))
            .build();
    Event v1 = event(topic, 1, "{\"key\":\"a\",\"seq\":1}");
    Event v2 = event(topic, 2, "{\"key\":\"b\",\"seq\":2,\"note\":\"second\"}");
    Event v3 = event(topic, 3, "{\"key\":\"c\",\"seq\":3}");
    Event v1Forged = event(topic, 1, "{\"key\":\"d\",\"seq\":4,\"note\":\"x\"}");
    Event v2Forged = event(topic, 2, "{\"key\":\"e\",\"seq\":5,\"note\":\"fifth\"}");
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.sendRaw(p, KafkaRecords.toProducerRecord(v1));
      Fixture.sendRaw(p, KafkaRecords.toProducerRecord(v2));
      Fixture.sendRaw(p, KafkaRecords.toProducerRecord(v3));
      Fixture.sendRaw(p, forged(v1Forged, Forged.class.getName()));
      Fixture.sendRaw(p, forged(v2Forged, ItemV1.class.getName()));
    }
    Map<UUID, Object> decoded = new ConcurrentHashMap<>();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (TopicRecorder<String> dlq =
            new TopicRecorder<>(
                broker,
                topic + ".dlq",
                r -> {
                  Header h = r.headers().lastHeader(DeadLetterHeaders.REASON);
                  return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
                });
        ConsumerRuntime runtime =
            Fixture.runtime(broker, db.dataSource())
                .contracts(contracts)
                .meterRegistry(meters)
                .listener(
                    ListenerDefinition.builder()
                        .topic(topic)
                        .group(group)
                        .eventType("item.added")
                        .payloadType(ItemPayload.class)
                        .handler(d -> decoded.put(d.event().id(), d.payload()))
                        .build())
                .build()) {
      runtime.start();
      Fixture.awaitOrExplain(
          WAIT,
          () -> Fixture.committedTotal(broker, group) == 5,
          () -> "decoded " + decoded + ", dead " + counter(meters, group, "dead_lettered"));
      assertThat(counter(meters, group, "processed")).isEqualTo(4);
      assertThat(counter(meters, group, "dead_lettered")).isEqualTo(1);
      assertThat(counter(meters, group, "retried")).isZero(); // a contract version is poison
      Fixture.awaitOrExplain(WAIT, () -> dlq.size() == 1, () -> "dlq " + dlq.values());
      assertThat(dlq.values()).containsExactly(FailureClass.CONTRACT_VERSION.tag());
      assertThat(runtime.failure()).isEmpty();
    }
    assertThat(decoded)
        .containsOnlyKeys(v1.id(), v2.id(), v1Forged.id(), v2Forged.id())
        .containsEntry(v1.id(), new ItemV1("a", 1))
        .containsEntry(v2.id(), new ItemV2("b", 2, "second"))
        .containsEntry(v1Forged.id(), new ItemV1("d", 4))
        .containsEntry(v2Forged.id(), new ItemV2("e", 5, "fifth"));
    assertThat(Forged.BUILT).hasValue(0);
    List<DeadLetter> dead =
        DeadLetterStore.builder()
            .dataSource(db.dataSource())
            .build()
            .find(DeadLetterQuery.builder().topic(topic).build());
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).eventId()).isEqualTo(v3.id().toString());
    assertThat(dead.get(0).reason()).isEqualTo(FailureClass.CONTRACT_VERSION);
    assertThat(dead.get(0).exceptionClass())
        .isEqualTo(UnknownContractVersionException.class.getName());
  }
}
