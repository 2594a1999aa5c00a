package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import dev.keel.advisor.internal.TopologyValidator;
import dev.keel.advisor.spi.TopologySource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The configured system: services, topics, events, commands, consumers, sagas and synchronous
 * dependencies. Read one from YAML with {@link TopologyYaml}, or assemble one in Java:
 *
 * <pre>{@code
 * Topology topology = Topology.builder()
 *     .system("order-fulfillment")
 *     .service(ServiceSpec.of("orders", "orders-team"))
 *     .topic(TopicSpec.of("orders", 12, Duration.ofDays(7), "orders.dlq"))
 *     .event(EventSpec.builder("order.placed").producer("orders").topic("orders").key("orderId")...)
 *     .build();
 * }</pre>
 *
 * Every list is sorted by name (saga steps keep their order), so the same elements give the same
 * plans whatever order they were added in. Immutable and thread-safe; the builder is not.
 */
public final class Topology {
  private final String system;
  private final List<ServiceSpec> services;
  private final List<TopicSpec> topics;
  private final List<EventSpec> events;
  private final List<CommandSpec> commands;
  private final List<ConsumerSpec> consumers;
  private final List<SagaSpec> sagas;
  private final List<SyncCall> synchronous;

  private Topology(Builder b) {
    this.system = b.system;
    this.services = sorted(b.services, ServiceSpec::name);
    this.topics = sorted(b.topics, TopicSpec::name);
    this.events = sorted(b.events, EventSpec::name);
    this.commands = sorted(b.commands, CommandSpec::name);
    this.consumers = sorted(b.consumers, ConsumerSpec::name);
    this.sagas = sorted(b.sagas, SagaSpec::name);
    this.synchronous = sorted(b.synchronous, SyncCall::id);
  }

  private static <T> List<T> sorted(List<T> items, Function<T, String> key) {
    List<T> copy = new ArrayList<>(items);
    copy.sort(Comparator.comparing(key));
    return List.copyOf(copy);
  }

  /** Starts a topology. */
  public static Builder builder() {
    return new Builder();
  }

  /** The system's name. */
  public String system() {
    return system;
  }

  /** The services, by name. */
  public List<ServiceSpec> services() {
    return services;
  }

  /** The topics, by name. */
  public List<TopicSpec> topics() {
    return topics;
  }

  /** The events, by name. */
  public List<EventSpec> events() {
    return events;
  }

  /** The commands, by name. */
  public List<CommandSpec> commands() {
    return commands;
  }

  /** The consumers, by name. */
  public List<ConsumerSpec> consumers() {
    return consumers;
  }

  /** The sagas, by name. */
  public List<SagaSpec> sagas() {
    return sagas;
  }

  /** The synchronous dependencies, by caller, callee and operation. */
  public List<SyncCall> synchronous() {
    return synchronous;
  }

  /** The service with this name. */
  public Optional<ServiceSpec> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The topic with this name. */
  public Optional<TopicSpec> topic(String name) {
    return topics.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The event with this name. */
  public Optional<EventSpec> event(String name) {
    return events.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /** The command with this name. */
  public Optional<CommandSpec> command(String name) {
    return commands.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** The consumers that handle this event or command, by name. */
  public List<ConsumerSpec> consumersOf(String message) {
    return consumers.stream().filter(c -> c.consumes().contains(message)).toList();
  }

  /** The topic an event or command travels on. */
  public Optional<String> topicOf(String message) {
    return event(message).map(EventSpec::topic).or(() -> command(message).map(CommandSpec::topic));
  }

  /** The consumers that read this topic, by name. */
  public List<ConsumerSpec> consumersOfTopic(String topic) {
    return consumers.stream()
        .filter(c -> c.consumes().stream().anyMatch(m -> topicOf(m).orElse("").equals(topic)))
        .toList();
  }

  /** The owner of an event: its own, else its producer's. */
  public Optional<String> ownerOf(EventSpec event) {
    return event.owner().or(() -> service(event.producer()).flatMap(ServiceSpec::owner));
  }

  /** Whether a topic is the dead-letter topic of another topic. */
  public boolean isDeadLetterTopic(String topic) {
    return topics.stream().anyMatch(t -> t.dlq().filter(topic::equals).isPresent());
  }

  /**
   * Assembles a {@link Topology}. Not thread-safe. Adding an element equal to one already added is
   * a no-op, so that several {@link TopologySource}s may describe the same service or topic.
   */
  public static final class Builder {
    private String system = "system";
    private final List<ServiceSpec> services = new ArrayList<>();
    private final List<TopicSpec> topics = new ArrayList<>();
    private final List<EventSpec> events = new ArrayList<>();
    private final List<CommandSpec> commands = new ArrayList<>();
    private final List<ConsumerSpec> consumers = new ArrayList<>();
    private final List<SagaSpec> sagas = new ArrayList<>();
    private final List<SyncCall> synchronous = new ArrayList<>();

    private Builder() {}

    private static <T> void add(List<T> list, T item) {
      if (!list.contains(java.util.Objects.requireNonNull(item))) {
        list.add(item);
      }
    }

    /** The system's name, used in titles. */
    public Builder system(String name) {
      this.system = name;
      return this;
    }

    /**
     * Adds a service. A bare declaration (no owner, no description), as running components make,
     * merges with a fuller one of the same name, whichever comes first; two different full
     * declarations of one name are reported by {@link #build()}.
     */
    public Builder service(ServiceSpec service) {
      for (int i = 0; i < services.size(); i++) {
        ServiceSpec known = services.get(i);
        if (known.name().equals(service.name())) {
          if (bare(service)) {
            return this;
          }
          if (bare(known)) {
            services.set(i, service);
            return this;
          }
        }
      }
      add(services, service);
      return this;
    }

    private static boolean bare(ServiceSpec s) {
      return s.owner().isEmpty() && s.description().isEmpty();
    }

    /** Adds a topic. */
    public Builder topic(TopicSpec topic) {
      add(topics, topic);
      return this;
    }

    /** Adds an event. */
    public Builder event(EventSpec event) {
      add(events, event);
      return this;
    }

    /** Adds a command. */
    public Builder command(CommandSpec command) {
      add(commands, command);
      return this;
    }

    /** Adds a consumer. */
    public Builder consumer(ConsumerSpec consumer) {
      add(consumers, consumer);
      return this;
    }

    /** Adds a saga. */
    public Builder saga(SagaSpec saga) {
      add(sagas, saga);
      return this;
    }

    /** Adds a synchronous dependency. */
    public Builder synchronous(SyncCall call) {
      add(synchronous, call);
      return this;
    }

    /** Lets a running component add what it knows. */
    public Builder from(TopologySource source) {
      source.describe(this);
      return this;
    }

    /**
     * Checks every reference (producers, topics, consumed messages, saga commands and replies,
     * dead-letter topics) and builds.
     *
     * @throws TopologyException listing every problem
     */
    public Topology build() {
      List<String> problems =
          TopologyValidator.validate(
                  system, services, topics, events, commands, consumers, sagas, synchronous)
              .stream()
              .map(p -> "Topology " + Checks.q(system) + ": " + p.message())
              .toList();
      if (!problems.isEmpty()) {
        throw new TopologyException(problems);
      }
      return new Topology(this);
    }
  }
}
