package dev.keel.advisor.internal.yaml;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Publication;
import dev.keel.advisor.ServiceSpec;
import dev.keel.advisor.TopicSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads services, topics, events and commands. */
final class MessageReader {
  static final Set<String> SERVICE = Set.of("name", "owner", "description");
  static final Set<String> TOPIC = Set.of("name", "partitions", "retention", "dlq");
  static final Set<String> EVENT =
      Set.of(
          "name",
          "producer",
          "owner",
          "topic",
          "partitionKey",
          "orderingKey",
          "version",
          "publishedVia",
          "triggeredByDbChange",
          "description",
          "fields",
          "deprecations",
          "previous");
  static final Set<String> COMMAND =
      Set.of(
          "name",
          "sender",
          "handler",
          "topic",
          "partitionKey",
          "version",
          "publishedVia",
          "description",
          "fields");

  private final Map<String, String> owners = new HashMap<>();
  private final ContractReader contracts = new ContractReader();

  ServiceSpec service(YamlMap m, String name) {
    m.optString("owner").ifPresent(o -> owners.put(name, o));
    return new ServiceSpec(name, m.optString("owner"), m.optString("description").orElse(""));
  }

  TopicSpec topic(YamlMap m, String name) {
    Optional<Duration> retention;
    if (m.optString("retention").filter("forever"::equals).isPresent()) {
      retention = Optional.empty();
    } else {
      retention = Optional.of(m.optDuration("retention").orElse(TopicSpec.DEFAULT_RETENTION));
    }
    int partitions =
        m.optInt("partitions")
            .orElseThrow(() -> new YamlError(m.line(), m.what() + " has no partitions"));
    return new TopicSpec(name, partitions, retention, m.optString("dlq"));
  }

  EventSpec event(YamlMap m, String name) {
    return new EventSpec(
        name,
        m.string("producer"),
        m.optString("owner"),
        m.string("topic"),
        m.optString("partitionKey"),
        m.optString("orderingKey"),
        m.optInt("version"),
        contracts.fields(m),
        contracts.deprecations(m),
        contracts.previous(m, name, defaultOwner(m)),
        m.optEnum("publishedVia", Publication.class).orElse(Publication.OUTBOX),
        m.bool("triggeredByDbChange", false),
        m.optString("description").orElse(""));
  }

  /** The owner a previous contract is given when it names none. */
  private String defaultOwner(YamlMap m) {
    String producer = m.string("producer");
    return m.optString("owner").orElse(owners.getOrDefault(producer, producer));
  }

  CommandSpec command(YamlMap m, String name) {
    return new CommandSpec(
        name,
        m.string("sender"),
        m.string("handler"),
        m.string("topic"),
        m.optString("partitionKey"),
        m.optInt("version"),
        contracts.fields(m),
        m.optEnum("publishedVia", Publication.class).orElse(Publication.OUTBOX),
        m.optString("description").orElse(""));
  }
}
