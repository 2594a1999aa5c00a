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
 * The ceiling: the same events (Keel's envelope headers, same keys and payload), sent through one
 * idempotent producer without waiting, then flushed. No database. One record per key is built
 * beforehand and record {@code i} of the backlog is the one of key {@code i % KEYS}, so that the
 * backlog does not have to fit in the drain JVM's heap.
 */
public final class RawProducer implements Contender {
  private final Map<String, Object> producerProperties;
  private final String topic;
  private List<ProducerRecord<byte[], byte[]>> records;
  private int rows;
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
    this.rows = rows;
    records = new ArrayList<>(Math.min(rows, Workload.KEYS));
    for (int i = 0; i < Math.min(rows, Workload.KEYS); i++) {
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
    for (int i = 0; i < rows; i++) {
      producer.send(
          records.get(i % records.size()),
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
    if (failed.get() != null || acked.get() != rows) {
      throw new IllegalStateException(
          "raw producer: " + acked.get() + " of " + rows + " acknowledged", failed.get());
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
