package dev.keel.consumer;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.test.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from the beginning in a background thread and keeps every event, duplicates too.
 */
final class TopicCollector implements AutoCloseable {
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  TopicCollector(KafkaBroker broker, String topic) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "collector-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    thread =
        new Thread(
            () -> {
              try (consumer) {
                while (running) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    events.add(KafkaRecords.toEvent(r));
                  }
                }
              }
            },
            "collector-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  List<Event> events() {
    return new ArrayList<>(events);
  }

  int size() {
    return events.size();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }
}
