package dev.keel.consumer.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Kafka clients of the runtime, from the user's properties (copied, never logged by Keel). */
final class KafkaClients {
  private static final Set<String> CONSUMER_ONLY_IN_PRODUCER =
      Set.of(ProducerConfig.CLIENT_ID_CONFIG);

  private KafkaClients() {}

  static KafkaConsumer<byte[], byte[]> consumer(RuntimeConfig config, String group) {
    Map<String, Object> p = new HashMap<>(config.consumerProperties());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // forced: offsets follow the database
    p.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
    p.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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
