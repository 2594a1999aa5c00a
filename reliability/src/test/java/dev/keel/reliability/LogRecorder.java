package dev.keel.reliability;

import dev.keel.event.EventHeaders;
import dev.keel.test.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from its beginning (read_committed, a group of its own) and keeps every record as
 * an {@link Observation}, duplicates included, plus the set of distinct ids. Unlike {@code
 * TopicRecorder} it appends in amortized constant time, for the million-record runs.
 */
final class LogRecorder implements AutoCloseable {
  private final List<Observation> records = new ArrayList<>();
  private final Set<UUID> distinct = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean running = true;

  LogRecorder(KafkaBroker broker, String topic) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put("group.id", "log-recorder-" + UUID.randomUUID());
    props.put("auto.offset.reset", "earliest");
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", false);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    thread =
        new Thread(
            () -> {
              try (consumer) {
                while (running) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Observation o = observe(r);
                    synchronized (records) {
                      records.add(o);
                    }
                    distinct.add(o.id());
                  }
                }
              }
            },
            "log-recorder-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  /** A record as the checker sees it; one without a readable id gets the nil UUID. */
  static Observation observe(ConsumerRecord<byte[], byte[]> r) {
    Header id = r.headers().lastHeader(EventHeaders.EVENT_ID);
    UUID uuid;
    try {
      uuid = UUID.fromString(new String(id.value(), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      uuid = new UUID(0, 0);
    }
    return new Observation(
        uuid, r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8));
  }

  /** Every record read so far, in the order read (log order per partition). */
  List<Observation> values() {
    synchronized (records) {
      return new ArrayList<>(records);
    }
  }

  int size() {
    synchronized (records) {
      return records.size();
    }
  }

  int distinct() {
    return distinct.size();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }
}
