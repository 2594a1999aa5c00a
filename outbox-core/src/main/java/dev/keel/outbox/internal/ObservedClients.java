package dev.keel.outbox.internal;

import dev.keel.outbox.observation.DefaultOutboxSendObservationConvention;
import dev.keel.outbox.observation.OutboxSendContext;
import dev.keel.outbox.observation.OutboxSendObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;

/**
 * The relay's clients with an observed producer: each send is a {@code send <topic>} observation
 * that continues the trace context of the record's headers and stops when Kafka acknowledged or
 * refused the record. Used only when the relay was given an observation registry, so a relay
 * without one sends through the plain producer; a registry without handlers costs one check per
 * record.
 */
final class ObservedClients implements RelayClients {
  private final RelayClients delegate;
  private final ObservationRegistry registry;
  private final OutboxSendObservationConvention convention;

  private ObservedClients(
      RelayClients delegate,
      ObservationRegistry registry,
      OutboxSendObservationConvention convention) {
    this.delegate = delegate;
    this.registry = registry;
    this.convention = convention;
  }

  /** The clients to publish with: {@code clients} itself when nothing observes. */
  static RelayClients of(
      RelayClients clients,
      ObservationRegistry registry,
      OutboxSendObservationConvention convention) {
    if (registry == null || registry == ObservationRegistry.NOOP) {
      return clients;
    }
    return new ObservedClients(clients, registry, convention);
  }

  @Override
  public Producer<byte[], byte[]> producer(Map<String, Object> settings) {
    return new ObservedProducer(delegate.producer(settings));
  }

  @Override
  public Optional<Admin> admin(Map<String, Object> settings) {
    return delegate.admin(settings);
  }

  /** Stops a send's observation once, with the metadata or the error, then calls the caller's. */
  private static final class Completion implements Callback {
    private final Observation observation;
    private final OutboxSendContext context;
    private final Callback next;
    private final AtomicBoolean done = new AtomicBoolean();

    Completion(Observation observation, OutboxSendContext context, Callback next) {
      this.observation = observation;
      this.context = context;
      this.next = next;
    }

    @Override
    public void onCompletion(RecordMetadata metadata, Exception exception) {
      if (done.compareAndSet(false, true)) {
        if (exception != null) {
          observation.error(exception);
        } else {
          context.metadata(metadata);
        }
        observation.stop();
      }
      if (next != null) {
        next.onCompletion(metadata, exception);
      }
    }
  }

  private final class ObservedProducer implements Producer<byte[], byte[]> {
    private final Producer<byte[], byte[]> producer;

    ObservedProducer(Producer<byte[], byte[]> producer) {
      this.producer = producer;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
      return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      if (registry.isNoop()) {
        return producer.send(record, callback);
      }
      OutboxSendContext context = new OutboxSendContext(record);
      Observation observation =
          Observation.createNotStarted(
                  convention,
                  DefaultOutboxSendObservationConvention.INSTANCE,
                  () -> context,
                  registry)
              .start();
      Completion completion = new Completion(observation, context, callback);
      try {
        return producer.send(record, completion);
      } catch (RuntimeException | Error e) {
        if (completion.done.compareAndSet(false, true)) {
          observation.error(e);
          observation.stop();
        }
        throw e;
      }
    }

    @Override
    public void initTransactions() {
      producer.initTransactions();
    }

    @Override
    public void beginTransaction() {
      producer.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
      producer.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void commitTransaction() {
      producer.commitTransaction();
    }

    @Override
    public void abortTransaction() {
      producer.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
      producer.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
      producer.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
      producer.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
      return producer.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      return producer.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
      return producer.clientInstanceId(timeout);
    }

    @Override
    public void close() {
      producer.close();
    }

    @Override
    public void close(Duration timeout) {
      producer.close(timeout);
    }
  }
}
