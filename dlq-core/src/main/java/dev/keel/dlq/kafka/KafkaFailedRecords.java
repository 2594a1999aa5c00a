package dev.keel.dlq.kafka;

import dev.keel.dlq.FailedRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Adapts Kafka records to {@link FailedRecord}. Thread-safe (stateless). */
public final class KafkaFailedRecords {
  private KafkaFailedRecords() {}

  /**
   * The failed record of a consumed record: topic, partition, offset, raw key and value bytes and
   * every header, unchanged.
   *
   * @param record a record consumed with byte-array deserializers
   */
  public static FailedRecord of(ConsumerRecord<byte[], byte[]> record) {
    List<FailedRecord.Header> headers = new ArrayList<>();
    for (Header h : record.headers()) {
      headers.add(new FailedRecord.Header(h.key(), h.value()));
    }
    return new FailedRecord(
        record.topic(), record.partition(), record.offset(), record.key(), record.value(), headers);
  }
}
