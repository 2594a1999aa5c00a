package dev.keel.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from its beginning in a background thread (read_committed, a group of its own) and
 * keeps every record, duplicates included, mapped by the given function. For assertions on what a
 * test published:
 *
 * <pre>{@code
 * try (TopicRecorder<Event> out = new TopicRecorder<>(broker, "orders", KafkaRecords::toEvent)) {
 *   ...
 *   await().until(() -> out.size() == 3);
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops the thread and closes the consumer.
 *
 * @param <T> what each record is mapped to
 */
public final class TopicRecorder<T> implements AutoCloseable {
  private final List<T> values = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Starts reading.
   *
   * @param broker the broker
   * @param topic the topic, read from its first offset
   * @param mapper maps each record; an exception stops the recorder's thread
   */
  public TopicRecorder(
      KafkaBroker broker, String topic, Function<ConsumerRecord<byte[], byte[]>, T> mapper) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "recorder-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
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
                    values.add(mapper.apply(r));
                  }
                }
              }
            },
            "topic-recorder-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  /** Everything read so far, in log order per partition. */
  public List<T> values() {
    return new ArrayList<>(values);
  }

  /** How many records were read so far. */
  public int size() {
    return values.size();
  }

  /** Stops reading and closes the consumer (waits up to 10 s). */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
