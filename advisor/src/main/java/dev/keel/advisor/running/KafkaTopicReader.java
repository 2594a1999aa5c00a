package dev.keel.advisor.running;

import dev.keel.advisor.TopicSpec;
import dev.keel.event.RetriableKeelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/** Reads topic partitions, retention and dead-letter topics once through a Kafka admin client. */
final class KafkaTopicReader {
  private KafkaTopicReader() {}

  static List<TopicSpec> read(Map<String, Object> adminProperties, Duration timeout) {
    long ms = timeout.toMillis();
    try (Admin admin = Admin.create(new HashMap<>(adminProperties))) {
      Set<String> names = new TreeSet<>(admin.listTopics().names().get(ms, TimeUnit.MILLISECONDS));
      names.removeIf(n -> n.startsWith("__"));
      Map<String, TopicDescription> described =
          admin.describeTopics(names).allTopicNames().get(ms, TimeUnit.MILLISECONDS);
      List<ConfigResource> resources = new ArrayList<>();
      names.forEach(n -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, n)));
      Map<ConfigResource, Config> configs =
          admin.describeConfigs(resources).all().get(ms, TimeUnit.MILLISECONDS);
      List<TopicSpec> topics = new ArrayList<>();
      for (String n : names) {
        Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, n));
        ConfigEntry retention = config == null ? null : config.get(TopicConfig.RETENTION_MS_CONFIG);
        Duration kept = null;
        if (retention != null && retention.value() != null) {
          long value = Long.parseLong(retention.value());
          kept = value < 0 ? null : Duration.ofMillis(value);
        }
        String dlq = names.contains(n + ".dlq") ? n + ".dlq" : null;
        topics.add(TopicSpec.of(n, described.get(n).partitions().size(), kept, dlq));
      }
      return List.copyOf(topics);
    } catch (ExecutionException | TimeoutException e) {
      throw new RetriableKeelException(
          "Could not read the topics of the Kafka cluster within " + timeout + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableKeelException("Interrupted while reading the Kafka topics", e);
    }
  }
}
