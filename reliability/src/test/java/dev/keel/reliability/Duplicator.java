package dev.keel.reliability;

import dev.keel.test.KafkaBroker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Delivers records again: reads a topic and writes a copy of a share of its records (same
 * partition, key, value and headers) back to it, as a producer retry or a replay would.
 */
final class Duplicator implements AutoCloseable {
  private final Thread thread;
  private final AtomicInteger copies = new AtomicInteger();
  private volatile boolean running = true;

  Duplicator(KafkaBroker broker, String topic, double share, long seed) {
    Map<String, Object> c = new HashMap<>(broker.clientProperties());
    c.put("group.id", "duplicator-" + UUID.randomUUID());
    c.put("auto.offset.reset", "earliest");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    Map<String, Object> p = new HashMap<>(broker.clientProperties());
    p.put("acks", "all");
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    consumer.subscribe(List.of(topic));
    Random random = new Random(seed);
    thread =
        new Thread(
            () -> {
              try (consumer;
                  producer) {
                while (running) {
                  for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (random.nextDouble() < share) {
                      producer.send(
                          new ProducerRecord<>(
                              r.topic(), r.partition(), r.key(), r.value(), r.headers()));
                      copies.incrementAndGet();
                    }
                  }
                }
                producer.flush();
              }
            },
            "duplicator-" + topic);
    thread.setDaemon(true);
    thread.start();
  }

  /** Copies written so far. */
  int copies() {
    return copies.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(15_000);
  }
}
