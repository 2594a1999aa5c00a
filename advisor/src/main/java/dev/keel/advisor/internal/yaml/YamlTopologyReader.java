package dev.keel.advisor.internal.yaml;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.ServiceSpec;
import dev.keel.advisor.TopicSpec;
import dev.keel.advisor.Topology;
import dev.keel.advisor.TopologyException;
import dev.keel.advisor.internal.TopologyValidator;
import dev.keel.advisor.internal.TopologyValidator.Problem;
import dev.keel.event.KeelConfigurationException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the topology schema (see the advisor README) with SnakeYAML's node API, which constructs no
 * Java objects from the document and keeps line numbers. Not thread-safe; use once.
 */
public final class YamlTopologyReader {
  static final Set<String> ROOT =
      Set.of(
          "version",
          "system",
          "description",
          "services",
          "topics",
          "events",
          "commands",
          "consumers",
          "sagas",
          "synchronous");
  private final String source;
  private final Map<String, Integer> lines = new HashMap<>();
  private final Set<String> seen = new HashSet<>();
  private final Topology.Builder builder = Topology.builder();
  private final MessageReader messages = new MessageReader();
  private final FlowReader flows = new FlowReader(this);

  /**
   * @param source the name used in messages, usually the file name
   */
  public YamlTopologyReader(String source) {
    this.source = source;
  }

  /**
   * Reads and validates a topology.
   *
   * @throws TopologyException with {@code source:line:} messages
   */
  public Topology read(Reader reader) {
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      Node root = new Yaml(options).compose(reader);
      if (root == null) {
        throw new YamlError(1, "the document is empty; expected a mapping with 'system'");
      }
      readRoot(YamlMap.of(root, "the topology", ROOT));
    } catch (YamlError e) {
      throw new TopologyException(List.of(source + ":" + e.line() + ": " + e.getMessage()));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
      throw new TopologyException(
          List.of(source + ":" + line + ": invalid YAML: " + e.getProblem()));
    } catch (YAMLException e) {
      throw new TopologyException(List.of(source + ":1: invalid YAML: " + e.getMessage()));
    }
    return builder.build();
  }

  private void readRoot(YamlMap root) {
    Optional<Integer> version = root.optInt("version");
    if (version.isPresent() && version.get() != 1) {
      throw new YamlError(root.line("version"), "schema version must be 1, was " + version.get());
    }
    String system = root.string("system");
    builder.system(system);
    List<ServiceSpec> services =
        each(root, "services", "service", MessageReader.SERVICE, messages::service);
    List<TopicSpec> topics = each(root, "topics", "topic", MessageReader.TOPIC, messages::topic);
    List<EventSpec> events = each(root, "events", "event", MessageReader.EVENT, messages::event);
    List<CommandSpec> commands =
        each(root, "commands", "command", MessageReader.COMMAND, messages::command);
    var consumers = each(root, "consumers", "consumer", FlowReader.CONSUMER, flows::consumer);
    var sagas = each(root, "sagas", "saga", FlowReader.SAGA, flows::saga);
    var calls = flows.synchronous(root.list("synchronous"));
    services.forEach(builder::service);
    topics.forEach(builder::topic);
    events.forEach(builder::event);
    commands.forEach(builder::command);
    consumers.forEach(builder::consumer);
    sagas.forEach(builder::saga);
    calls.forEach(builder::synchronous);
    List<Problem> problems =
        TopologyValidator.validate(
            system, services, topics, events, commands, consumers, sagas, calls);
    if (!problems.isEmpty()) {
      List<String> out = new ArrayList<>();
      problems.stream()
          .sorted(Comparator.comparingInt(this::lineOf))
          .forEach(p -> out.add(source + ":" + lineOf(p) + ": " + p.message()));
      throw new TopologyException(out);
    }
  }

  private int lineOf(Problem p) {
    String element = p.kind() + ":" + p.name();
    return lines.getOrDefault(element + ":" + p.field(), lines.getOrDefault(element, 1));
  }

  /** Reads every item of a list of mappings, checking names are unique per kind. */
  <T> List<T> each(YamlMap parent, String key, String kind, Set<String> allowed, Item<T> item) {
    List<T> out = new ArrayList<>();
    int i = 0;
    for (Node n : parent.list(key)) {
      i++;
      String what = YamlMap.peekName(n).map(x -> kind + " '" + x + "'").orElse(kind + " #" + i);
      YamlMap m = YamlMap.of(n, what, allowed);
      String name = m.string("name");
      remember(kind, name, m);
      out.add(guard(m, () -> item.read(m, name)));
    }
    return out;
  }

  /** Records the lines of an element and its properties, rejecting a repeated name. */
  void remember(String kind, String name, YamlMap m) {
    String element = kind + ":" + name;
    if (!seen.add(element)) {
      throw new YamlError(m.line("name"), kind + " '" + name + "' is declared twice");
    }
    lines.put(element, m.line());
    for (String key :
        List.of(
            "name",
            "producer",
            "topic",
            "partitionKey",
            "orderingKey",
            "version",
            "sender",
            "handler",
            "dlq",
            "service",
            "group",
            "consumes",
            "calls",
            "orchestrator",
            "trigger",
            "steps",
            "command",
            "onSuccess",
            "onFailure",
            "compensation",
            "compensated",
            "caller",
            "callee",
            "replacedBy",
            "deprecations",
            "fields")) {
      if (m.has(key)) {
        lines.put(element + ":" + key, m.line(key));
      }
    }
  }

  /** Turns a model exception into an error at the element's line. */
  static <T> T guard(YamlMap m, Supplier<T> build) {
    try {
      return build.get();
    } catch (KeelConfigurationException | IllegalArgumentException e) {
      throw new YamlError(m.line(), e.getMessage());
    }
  }

  /** Reads one named item. */
  @FunctionalInterface
  interface Item<T> {
    T read(YamlMap m, String name);
  }
}
