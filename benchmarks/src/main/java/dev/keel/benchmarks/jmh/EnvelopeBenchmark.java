package dev.keel.benchmarks.jmh;

import dev.keel.event.Event;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.kafka.KafkaRecords;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-record costs on the hot paths: envelope to Kafka record and back (with the header contract
 * checks), and JSON payload encoding and decoding. Run: {@code java -cp
 * benchmarks/target/keel-benchmarks.jar org.openjdk.jmh.Main EnvelopeBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EnvelopeBenchmark {
  /** A typical payload. */
  public record OrderPlaced(String orderId, String customer, BigDecimal total) {}

  private Event event;
  private ConsumerRecord<byte[], byte[]> consumed;
  private JsonCodec json;
  private byte[] payload;

  /** Builds the inputs once. */
  @Setup
  public void setUp() {
    json = JsonCodec.create();
    payload = json.encode(new OrderPlaced("o-123456", "customer-42", new BigDecimal("199.99")));
    event =
        Event.builder()
            .type("order.placed")
            .topic("orders")
            .key("o-123456")
            .source("orders")
            .payload(payload)
            .build();
    ProducerRecord<byte[], byte[]> out = KafkaRecords.toProducerRecord(event);
    consumed =
        new ConsumerRecord<>(
            "orders",
            0,
            1L,
            0L,
            TimestampType.CREATE_TIME,
            -1,
            -1,
            out.key(),
            out.value(),
            out.headers(),
            Optional.empty());
  }

  /** Event to producer record with the envelope headers. */
  @Benchmark
  public ProducerRecord<byte[], byte[]> toProducerRecord() {
    return KafkaRecords.toProducerRecord(event);
  }

  /** Consumer record to event, with every header contract check. */
  @Benchmark
  public Event toEvent() {
    return KafkaRecords.toEvent(consumed);
  }

  /** Payload decoding into a record type. */
  @Benchmark
  public OrderPlaced decodePayload() {
    return json.decode(payload, OrderPlaced.class);
  }
}
