package dev.keel.consumer.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where the consumer runtime and the retry-tier consumer get their Kafka consumers: the seam that
 * unit tests fill with Kafka's {@code MockConsumer} (see {@link #using}), so that partition
 * tracking and the tier due-time gate are tested without a broker. Properties are copied, never
 * logged by Keel.
 *
 * <p>Internal: not part of Keel's public API. Immutable and thread-safe.
 */
public final class KafkaClients {
  private static final Set<String> CONSUMER_ONLY_IN_PRODUCER =
      Set.of(ProducerConfig.CLIENT_ID_CONFIG);

  /** The real clients: a {@link KafkaConsumer} of bytes. */
  public static final KafkaClients REAL =
      new KafkaClients(
          p -> new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()));

  /** Creates a consumer of bytes from finished properties (group, no auto-commit). */
  @FunctionalInterface
  public interface ConsumerFactory {
    /**
     * A new consumer, owned (and closed) by the caller.
     *
     * @param properties the client properties, group id included
     */
    Consumer<byte[], byte[]> create(Map<String, Object> properties);
  }

  private final ConsumerFactory consumers;

  private KafkaClients(ConsumerFactory consumers) {
    this.consumers = consumers;
  }

  /**
   * Clients whose consumers come from the factory, for example {@code props -> mockConsumer}.
   *
   * @param consumers the factory
   */
  public static KafkaClients using(ConsumerFactory consumers) {
    return new KafkaClients(Objects.requireNonNull(consumers, "consumers"));
  }

  /**
   * A consumer of the group: the given properties with the group id set, auto-commit forced off
   * (offsets follow the database) and the user's deserializers replaced by byte arrays.
   *
   * @param properties the user's consumer properties
   * @param group the group id
   */
  public Consumer<byte[], byte[]> consumer(Map<String, Object> properties, String group) {
    Map<String, Object> p = new HashMap<>(properties);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
    p.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
    return consumers.create(p);
  }

  /** The runtime's consumer of a group. */
  Consumer<byte[], byte[]> consumer(RuntimeConfig config, String group) {
    return consumer(config.consumerProperties(), group);
  }

  /** The given producer properties, or the consumer properties that are producer settings too. */
  static Map<String, Object> producerProperties(RuntimeConfig config) {
    if (config.producerProperties() != null) {
      return config.producerProperties();
    }
    Set<String> producerKeys = ProducerConfig.configNames();
    Map<String, Object> p = new HashMap<>();
    config
        .consumerProperties()
        .forEach(
            (k, v) -> {
              if (producerKeys.contains(k) && !CONSUMER_ONLY_IN_PRODUCER.contains(k)) {
                p.put(k, v);
              }
            });
    return p;
  }
}
