package dev.keel.dlq.kafka;

import dev.keel.dlq.FailedRecord;
import dev.keel.event.FatalKeelException;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.RetriableKeelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka side of dlq-core: an idempotent producer ({@code acks=all}) that sends one record and
 * waits for its acknowledgement, and an admin client that creates dead-letter topics.
 *
 * <p>Used by {@link dev.keel.dlq.DeadLetterPublisher} and {@link dev.keel.dlq.DeadLetters}; most
 * applications never touch it. Thread-safe. Closing closes the producer and admin client. Client
 * properties (SASL/SSL included) pass through untouched and are never logged.
 */
public final class KafkaRecordSink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaRecordSink.class);

  private final Map<String, Object> properties;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Duration timeout;
  private final Set<String> ensured = ConcurrentHashMap.newKeySet();
  private volatile Admin admin;

  /**
   * @param clientProperties Kafka client properties; {@code bootstrap.servers} required
   * @param timeout how long to wait for an acknowledgement or an admin call
   */
  public KafkaRecordSink(Map<String, Object> clientProperties, Duration timeout) {
    if (clientProperties == null || !clientProperties.containsKey("bootstrap.servers")) {
      throw new KeelConfigurationException(
          "Kafka properties must contain bootstrap.servers, were given "
              + (clientProperties == null ? "none" : clientProperties.keySet()));
    }
    this.properties = Map.copyOf(clientProperties);
    this.timeout = timeout;
    Map<String, Object> p = new HashMap<>(clientProperties);
    p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.putIfAbsent(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "keel-dlq");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    this.producer = new KafkaProducer<>(p);
  }

  /** Where a record landed. */
  public record Sent(String topic, int partition, long offset) {}

  /**
   * Sends one record and waits for the acknowledgement.
   *
   * @throws RetriableKeelException when Kafka does not acknowledge in time
   * @throws FatalKeelException when Kafka refuses the record for good
   */
  public Sent send(String topic, byte[] key, byte[] value, List<FailedRecord.Header> headers) {
    return send(topic, key, value, headers, null);
  }

  /**
   * Sends one record with an explicit timestamp and waits for the acknowledgement.
   *
   * @param timestamp the record's create time, or null for the producer's clock
   */
  public Sent send(
      String topic,
      byte[] key,
      byte[] value,
      List<FailedRecord.Header> headers,
      java.time.Instant timestamp) {
    List<org.apache.kafka.common.header.Header> kh = new ArrayList<>(headers.size());
    for (FailedRecord.Header h : headers) {
      kh.add(new RecordHeader(h.name(), h.value()));
    }
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topic, null, timestamp == null ? null : timestamp.toEpochMilli(), key, value, kh);
    try {
      RecordMetadata m = producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Sent(m.topic(), m.partition(), m.offset());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableKeelException("Interrupted while sending to " + topic, e);
    } catch (TimeoutException e) {
      throw new RetriableKeelException(
          "Kafka did not acknowledge a record to " + topic + " within " + timeout, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.RetriableException) {
        throw new RetriableKeelException(
            "Sending to " + topic + " failed: " + cause.getClass().getSimpleName(), cause);
      }
      throw new FatalKeelException(
          "Kafka refused a record to " + topic + ": " + cause.getClass().getSimpleName(), cause);
    }
  }

  /**
   * Creates {@code dlqTopic} with at least the source topic's partition count when it does not
   * exist; warns when it exists with fewer. Checked once per topic per instance.
   *
   * @param sourceTopic the topic dead letters come from
   * @param dlqTopic the dead-letter topic
   */
  public void ensureTopic(String sourceTopic, String dlqTopic) {
    ensureTopic(sourceTopic, dlqTopic, true);
  }

  /**
   * Creates {@code topic} with at least the source topic's partition count when missing.
   *
   * @param sourceTopic the topic whose partition count to match
   * @param topic the topic to create
   * @param create whether creating is allowed (otherwise only checked)
   * @throws RetriableKeelException when the topic is missing and creating is not allowed (it can be
   *     created meanwhile); a check the broker refuses (ACLs) is only logged, the send will tell
   */
  public void ensureTopic(String sourceTopic, String topic, boolean create) {
    String dlqTopic = topic;
    if (ensured.contains(dlqTopic)) {
      return;
    }
    try {
      Admin a = admin();
      Optional<Integer> source = partitions(a, sourceTopic);
      Optional<Integer> existing = partitions(a, dlqTopic);
      if (existing.isEmpty() && !create) {
        // not cached: once someone creates the topic the next call passes
        throw new RetriableKeelException(
            "Topic "
                + dlqTopic
                + " does not exist and creating topics is disabled (createTopics(false)); create it"
                + source
                    .map(n -> " with at least " + n + " partitions (as " + sourceTopic + " has)")
                    .orElse(""));
      }
      if (existing.isEmpty()) {
        int count = source.orElse(1);
        try {
          a.createTopics(List.of(new NewTopic(dlqTopic, Optional.of(count), Optional.empty())))
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          log.info("Created topic {} with {} partitions", dlqTopic, count);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      } else if (source.isPresent() && existing.get() < source.get()) {
        log.warn(
            "Dead-letter topic {} has {} partitions, fewer than {} of {}",
            dlqTopic,
            existing.get(),
            source.get(),
            sourceTopic);
      }
      ensured.add(dlqTopic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableKeelException("Interrupted while creating " + dlqTopic, e);
    } catch (ExecutionException | TimeoutException e) {
      // Creation may be forbidden (ACLs) or the broker may auto-create; the send will tell.
      log.warn(
          "Could not check or create dead-letter topic {}: {}",
          dlqTopic,
          (e.getCause() != null ? e.getCause() : e).getClass().getSimpleName());
    }
  }

  private Optional<Integer> partitions(Admin a, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      TopicDescription d =
          a.describeTopics(List.of(topic))
              .allTopicNames()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic);
      return Optional.of(d.partitions().size());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private Admin admin() {
    Admin a = admin;
    if (a == null) {
      synchronized (this) {
        if (admin == null) {
          Map<String, Object> p = new HashMap<>(properties);
          p.keySet().removeIf(k -> k.startsWith("key.") || k.startsWith("value."));
          p.keySet()
              .removeAll(
                  Set.of(
                      ProducerConfig.ACKS_CONFIG,
                      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                      ProducerConfig.LINGER_MS_CONFIG,
                      ProducerConfig.CLIENT_ID_CONFIG));
          admin = Admin.create(p);
        }
        a = admin;
      }
    }
    return a;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    Admin a = admin;
    if (a != null) {
      a.close(Duration.ofSeconds(5));
    }
  }
}
