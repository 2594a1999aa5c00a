package dev.keel.outbox.internal;

import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Where a relay gets its Kafka clients: {@link #KAFKA} in production; a test hands its own (Kafka's
 * {@code MockProducer}, no topic checks) through {@link DefaultOutboxRelay#useClients} so that the
 * settle and quarantine logic runs without a broker. Implementations are called from the relay's
 * threads and must be thread-safe; the relay closes what they return.
 */
interface RelayClients {

  /** The real clients, built from the relay's settings. */
  RelayClients KAFKA =
      new RelayClients() {
        @Override
        public Producer<byte[], byte[]> producer(Map<String, Object> settings) {
          return new KafkaProducer<>(settings);
        }

        @Override
        public Optional<Admin> admin(Map<String, Object> settings) {
          return Optional.of(Admin.create(settings));
        }
      };

  /**
   * A new producer for one worker; called again to replace one whose state cannot be trusted.
   *
   * @param settings the complete producer configuration ({@link ProducerSettings})
   */
  Producer<byte[], byte[]> producer(Map<String, Object> settings);

  /**
   * The admin client that checks which topics exist; empty to check none (every send decides).
   *
   * @param settings the admin configuration taken from the producer properties
   */
  Optional<Admin> admin(Map<String, Object> settings);
}
