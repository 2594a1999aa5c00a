package dev.keel.benchmarks;

import dev.keel.event.kafka.KafkaRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ceiling: the same events, built in memory beforehand (with Keel's envelope headers), sent
 * through one idempotent producer without waiting, then flushed. No database.
 */
public final class RawProducer implements Contender {
  private final Map<String, Object> producerProperties;
  private final String topic;
  private List<ProducerRecord<byte[], byte[]>> records;
  private Producer<byte[], byte[]> producer;

  /**
   * @param producerProperties producer settings, {@code bootstrap.servers} included
   * @param topic where the records go
   */
  public RawProducer(Map<String, Object> producerProperties, String topic) {
    this.producerProperties = Map.copyOf(producerProperties);
    this.topic = topic;
  }

  @Override
  public String id() {
    return "raw";
  }

  @Override
  public String name() {
    return "raw idempotent producer (ceiling)";
  }

  @Override
  public void prepare(int rows) {
    records = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      records.add(KafkaRecords.toProducerRecord(Workload.event(topic, i)));
    }
    producer =
        new KafkaProducer<>(
            producerProperties, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public void drain(Progress progress) {
    AtomicLong acked = new AtomicLong();
    AtomicReference<Exception> failed = new AtomicReference<>();
    for (ProducerRecord<byte[], byte[]> r : records) {
      producer.send(
          r,
          (m, e) -> {
            if (e == null) {
              acked.incrementAndGet();
              progress.add(1);
            } else {
              failed.compareAndSet(null, e);
            }
          });
    }
    producer.flush();
    if (failed.get() != null || acked.get() != records.size()) {
      throw new IllegalStateException(
          "raw producer: " + acked.get() + " of " + records.size() + " acknowledged", failed.get());
    }
  }

  @Override
  public void finish() {
    close();
  }

  @Override
  public void close() {
    records = null;
    if (producer != null) {
      producer.close();
      producer = null;
    }
  }
}
