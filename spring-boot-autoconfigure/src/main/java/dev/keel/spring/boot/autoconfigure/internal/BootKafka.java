package dev.keel.spring.boot.autoconfigure.internal;

import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.kafka.autoconfigure.SslBundleSslEngineFactory;
import org.springframework.boot.ssl.SslBundle;

/**
 * Builds Keel's {@link KeelKafka} from Spring Boot's {@code spring.kafka.*}: the cluster, the
 * client id, {@code spring.kafka.security.*}, {@code spring.kafka.ssl.*} (an SSL bundle included),
 * {@code spring.kafka.properties.*} (SASL...) and the connection details Boot may take from
 * elsewhere (service connections). The producer-, consumer- and admin-specific sections are not
 * taken: Keel sets what its guarantees need on each client. {@code keel.kafka.*} overrides the
 * result.
 */
public final class BootKafka {
  private BootKafka() {}

  /**
   * The cluster of {@code spring.kafka.*} with {@code keel.kafka.*} over it.
   *
   * @param boot Boot's bound Kafka properties
   * @param details Boot's connection details; {@code null} when there is no such bean
   * @param keel the {@code keel.*} settings
   */
  public static KeelKafka keelKafka(
      KafkaProperties boot, KafkaConnectionDetails details, KeelSettings keel) {
    Map<String, Object> p = new LinkedHashMap<>();
    List<String> servers = boot.getBootstrapServers();
    SslBundle bundle = null;
    String protocol = null;
    if (details != null) {
      servers = details.getBootstrapServers();
      bundle = details.getSslBundle();
      protocol = details.getSecurityProtocol();
    }
    p.putAll(boot.getSecurity().buildProperties());
    if (bundle == null) {
      p.putAll(boot.getSsl().buildProperties());
    }
    p.putAll(boot.getProperties());
    if (bundle != null) {
      p.put("ssl.engine.factory.class", SslBundleSslEngineFactory.class);
      p.put(SslBundle.class.getName(), bundle);
    }
    if (protocol != null && !protocol.isEmpty()) {
      p.put("security.protocol", protocol);
    }
    KeelKafka.Builder b =
        KeelKafka.builder().properties(p).bootstrapServers(String.join(",", servers));
    String clientId = boot.getClientId();
    if (clientId != null && !clientId.isBlank()) {
      b.clientIdPrefix(clientId);
    }
    // keel.kafka.* wins over spring.kafka.*.
    b.properties(keel.map(ConfigKey.KAFKA_PROPERTIES));
    keel.raw(ConfigKey.KAFKA_BOOTSTRAP_SERVERS).ifPresent(b::bootstrapServers);
    keel.raw(ConfigKey.KAFKA_CLIENT_ID_PREFIX).ifPresent(b::clientIdPrefix);
    return b.build();
  }
}
