package dev.keel.cli.testing;

import static org.awaitility.Awaitility.await;

import dev.keel.dlq.FailedRecord;
import dev.keel.test.KafkaBroker;
import dev.keel.test.TestTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain Kafka clients for tests: produce raw records, read a topic from the start. */
public final class KafkaIo implements AutoCloseable {
  private final KafkaBroker broker;
  private final KafkaProducer<byte[], byte[]> producer;

  public KafkaIo(KafkaBroker broker) {
    this.broker = broker;
    Map<String, Object> p = new HashMap<>(broker.clientProperties());
    p.put("key.serializer", ByteArraySerializer.class);
    p.put("value.serializer", ByteArraySerializer.class);
    p.put("acks", "all");
    this.producer = new KafkaProducer<>(p);
  }

  public static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  public void send(String topic, String key, byte[] value, List<FailedRecord.Header> headers) {
    List<org.apache.kafka.common.header.Header> h = new ArrayList<>();
    for (FailedRecord.Header x : headers) {
      h.add(new RecordHeader(x.name(), x.value()));
    }
    try {
      producer.send(new ProducerRecord<>(topic, null, utf8(key), value, h)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keel envelope headers for a fresh event id. */
  public static List<FailedRecord.Header> envelope(UUID id) {
    List<FailedRecord.Header> h = new ArrayList<>();
    h.add(FailedRecord.Header.of("keel-event-id", id.toString()));
    h.add(FailedRecord.Header.of("keel-event-type", "order.placed"));
    h.add(FailedRecord.Header.of("keel-contract-version", "1"));
    h.add(FailedRecord.Header.of("keel-occurred-at", TestTime.start().toString()));
    h.add(FailedRecord.Header.of("keel-source", "order-service"));
    return h;
  }

  public KafkaConsumer<byte[], byte[]> consumer(String group) {
    Map<String, Object> p = new HashMap<>(broker.clientProperties());
    p.put("key.deserializer", ByteArrayDeserializer.class);
    p.put("value.deserializer", ByteArrayDeserializer.class);
    p.put("group.id", group);
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", false);
    return new KafkaConsumer<>(p);
  }

  /** Reads a topic from its start until at least {@code count} records arrived. */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int count) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer("reader-" + UUID.randomUUID())) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic, Duration.ofSeconds(10))
          .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      c.assign(parts);
      c.seekToBeginning(parts);
      await()
          .pollInSameThread()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
                return out.size() >= count;
              });
      // a short extra poll shows whether more than expected arrived
      c.poll(Duration.ofMillis(200)).forEach(out::add);
    }
    return out;
  }

  /** The sum of a topic's end offsets: how many records it ever received. */
  public long endOffset(String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer("offsets-" + UUID.randomUUID())) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic, Duration.ofSeconds(10))
          .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  public static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    org.apache.kafka.common.header.Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  public static int count(ConsumerRecord<byte[], byte[]> r, String name) {
    int n = 0;
    for (org.apache.kafka.common.header.Header h : r.headers().headers(name)) {
      n++;
    }
    return n;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
