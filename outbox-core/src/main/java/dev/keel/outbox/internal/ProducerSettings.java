package dev.keel.outbox.internal;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The relay's producer configuration: the user's properties untouched, plus defaults for what the
 * user left out, plus the settings the relay's guarantees depend on.
 */
final class ProducerSettings {
  private ProducerSettings() {}

  static Map<String, Object> of(Map<String, Object> user, String clientId) {
    Map<String, Object> p = new HashMap<>();
    // Defaults, replaced by anything the user gave.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    // A send never expires on its own: an expired batch could let a later record of the same
    // partition through ahead of it. Close aborts sends instead.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.putAll(user);
    // What the relay's guarantees rest on.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return p;
  }
}
