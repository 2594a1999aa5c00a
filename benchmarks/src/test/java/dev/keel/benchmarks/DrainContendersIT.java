package dev.keel.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.EventHeaders;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every drain contender, run for two rounds as the harness runs it, sends each event of each
 * backlog exactly once (same keys, same payload) and leaves its table empty: the rates it reports
 * are rates of complete drains.
 */
@KeelTest
class DrainContendersIT {
  private static final int ROWS = 1_200;

  /** The envelope's headers on a record without a trace context. */
  private static final List<String> ENVELOPE =
      EventHeaders.ENVELOPE.stream().filter(n -> !n.equals(EventHeaders.TRACEPARENT)).toList();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "raw",
        "loop-500",
        "loop-2000",
        "loop-2000-env",
        "probe-500",
        "probe-2000-env",
        "stream-500-env",
        "keel-1",
        "keel-2",
        "keel-cursor-1",
        "keel-cursor-2"
      })
  void twoRoundsSendEveryEventOncePerRound(
      String id, KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    String topic = topics.create("drain", 6);
    Map<String, Object> producer = new HashMap<>(Workload.PRODUCER);
    producer.put("bootstrap.servers", broker.bootstrapServers());
    try (Contender c = contender(id, db, producer, topic);
        TopicRecorder<ConsumerRecord<byte[], byte[]>> out =
            new TopicRecorder<>(broker, topic, r -> r)) {
      for (int round = 0; round < 2; round++) {
        c.prepare(ROWS);
        Progress progress = new Progress(ROWS);
        c.drain(progress);
        c.finish(); // fails when rows are left or the relay published more or fewer than ROWS
        assertThat(progress.done()).isEqualTo(ROWS);
        assertThat(Arrays.stream(progress.result().buckets()).sum()).isEqualTo(ROWS);
      }
      assertThat(endOffsets(broker, topic)).isEqualTo(2L * ROWS);
      await().atMost(Duration.ofSeconds(30)).until(() -> out.size() == 2 * ROWS);
      List<ConsumerRecord<byte[], byte[]>> records = out.values();
      Map<String, Long> perKey =
          records.stream()
              .collect(
                  Collectors.groupingBy(
                      r -> new String(r.key(), StandardCharsets.UTF_8),
                      TreeMap::new,
                      Collectors.counting()));
      assertThat(perKey).hasSize(ROWS).containsEntry("key-0", 2L).containsEntry("key-1199", 2L);
      assertThat(perKey.values()).containsOnly(2L);
      assertThat(records).allSatisfy(r -> assertThat(r.value()).isEqualTo(Workload.payload()));
      // The envelope loop, the raw producer and the relay publish the same record: the envelope's
      // six headers.
      List<String> expected =
          id.equals("loop-500") || id.equals("loop-2000") || id.equals("probe-500")
              ? List.of(EventHeaders.EVENT_ID, EventHeaders.EVENT_TYPE)
              : ENVELOPE;
      assertThat(records)
          .allSatisfy(
              r ->
                  assertThat(
                          Arrays.stream(r.headers().toArray()).map(h -> h.key()).sorted().toList())
                      .isEqualTo(expected.stream().sorted().toList()));
    }
  }

  private static Contender contender(
      String id, IsolatedDatabase db, Map<String, Object> producer, String topic) throws Exception {
    return switch (id) {
      case "raw" -> new RawProducer(producer, topic);
      case "keel-1" -> new KeelDrain(db.dataSource(), producer, topic, 16, 1);
      case "keel-2" -> new KeelDrain(db.dataSource(), producer, topic, 16, 2);
      case "keel-cursor-1" -> new KeelDrain(db.dataSource(), producer, topic, 16, 1, true);
      case "keel-cursor-2" -> new KeelDrain(db.dataSource(), producer, topic, 16, 2, true);
      default -> HandLoop.forId(db.dataSource(), producer, "loop_table", topic, id);
    };
  }

  /** Records in the topic: the sum of its partitions' end offsets. */
  private static long endOffsets(KafkaBroker broker, String topic) {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", broker.bootstrapServers()),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
