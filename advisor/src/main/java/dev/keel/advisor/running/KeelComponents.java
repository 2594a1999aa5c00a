package dev.keel.advisor.running;

import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.IdempotencySpec;
import dev.keel.advisor.Publication;
import dev.keel.advisor.RetrySpec;
import dev.keel.advisor.ServiceSpec;
import dev.keel.advisor.TopicSpec;
import dev.keel.advisor.spi.TopologySource;
import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.IdempotencyKey;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.consumer.Ordering;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.contract.EventContract;
import dev.keel.outbox.Outbox;
import dev.keel.retry.RetryPolicy;
import dev.keel.saga.SagaDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link TopologySource}s read from a service's running Keel components, so that the service can
 * print its own plan at startup or from a test without a YAML file:
 *
 * <pre>{@code
 * Topology topology = Topology.builder()
 *     .system("order-fulfillment")
 *     .from(KeelComponents.kafkaTopics(adminProperties, Duration.ofSeconds(10)))
 *     .from(KeelComponents.outbox("orders", outbox))
 *     .from(KeelComponents.consumers("shipping", consumerRuntime))
 *     .from(KeelComponents.saga("orders", fulfillment, Map.of("payments.commands", "payments")))
 *     .build();
 * log.info(Advisor.create().review(topology).markdown());
 * }</pre>
 *
 * <p>What each source knows and what it cannot know is stated on each method; anything a component
 * does not know (a topic's partitions, another service's events) comes from another source. The
 * sources are snapshots: they read the component when they are created, do no I/O in {@link
 * TopologySource#describe}, and are immutable and thread-safe.
 */
public final class KeelComponents {
  private KeelComponents() {}

  /**
   * The events a service appends through an {@link Outbox}: one per contract name registered on the
   * outbox, at its latest version, with the version before it (if registered) as the contract
   * consumers read today. Each is published through the outbox and reports a database change. The
   * partition key is the contract's ordering key when the topic requires keys.
   *
   * @param service the producing service, declared by this source
   * @param outbox the outbox, built with its {@link Outbox.Builder#contracts contracts}
   * @throws KeelConfigurationException when the outbox has no contracts or one has no topic
   */
  public static TopologySource outbox(String service, Outbox outbox) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(outbox, "outbox");
    Map<String, List<EventContract>> byName = new LinkedHashMap<>();
    for (EventContract c : outbox.contracts().all()) {
      byName.computeIfAbsent(c.name(), n -> new ArrayList<>()).add(c);
    }
    if (byName.isEmpty()) {
      throw new KeelConfigurationException(
          "Outbox of service '"
              + service
              + "' has no contracts: register them with Outbox.builder().contracts(...) to describe"
              + " its events");
    }
    List<EventSpec> events = new ArrayList<>();
    for (List<EventContract> versions : byName.values()) {
      versions.sort(Comparator.comparingInt(EventContract::version));
      EventContract latest = versions.get(versions.size() - 1);
      String topic =
          latest
              .topic()
              .orElseThrow(
                  () ->
                      new KeelConfigurationException(
                          "Contract '"
                              + latest.name()
                              + "' v"
                              + latest.version()
                              + " of service '"
                              + service
                              + "' has no topic: declare it with EventContract.Builder.topic"));
      EventSpec.Builder e =
          EventSpec.builder(latest.name())
              .producer(service)
              .owner(latest.owner())
              .topic(topic)
              .version(latest.version())
              .publishedVia(Publication.OUTBOX)
              .triggeredByDbChange(true)
              .description(latest.description());
      latest.orderingKey().ifPresent(e::orderingKey);
      if (outbox.requiresKey(topic)) {
        latest.orderingKey().ifPresent(e::partitionKey);
      }
      latest.fields().forEach(e::field);
      latest.deprecations().forEach(e::deprecate);
      if (versions.size() > 1) {
        e.previous(versions.get(versions.size() - 2));
      }
      events.add(e.build());
    }
    List<EventSpec> snapshot = List.copyOf(events);
    return b -> {
      b.service(ServiceSpec.of(service, null));
      snapshot.forEach(b::event);
    };
  }

  /**
   * The consumers of a {@link ConsumerRuntime}: one per listener, named by the listener (or by its
   * group and event type), with its ordering, its dedupe-table idempotency (key and retention), the
   * runtime's in-place retry policy and dead-lettering of records that cannot be processed.
   *
   * @param service the consuming service, declared by this source
   * @param runtime the runtime; built, started or not
   * @throws KeelConfigurationException when a listener handles every event type of its topic (no
   *     event type): the consumed events cannot be named without one
   */
  public static TopologySource consumers(String service, ConsumerRuntime runtime) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(runtime, "runtime");
    RetrySpec retry = retry(runtime.retryPolicy(), runtime.retryTiers());
    List<ConsumerSpec> consumers = new ArrayList<>();
    for (ListenerDefinition l : runtime.listeners()) {
      String type =
          l.eventType()
              .orElseThrow(
                  () ->
                      new KeelConfigurationException(
                          "Listener "
                              + name(l)
                              + " of service '"
                              + service
                              + "' handles every event on topic '"
                              + l.topic()
                              + "': give it an event type to describe what it consumes"));
      consumers.add(
          ConsumerSpec.builder(name(l))
              .service(service)
              .group(l.group())
              .consumes(type)
              .ordering(
                  l.ordering() == Ordering.KEY
                      ? ConsumerSpec.Ordering.PER_KEY
                      : ConsumerSpec.Ordering.PER_PARTITION)
              .idempotency(idempotency(l.idempotencyKey(), runtime.dedupeRetention()))
              .retry(retry)
              .poison(ConsumerSpec.Poison.DEAD_LETTER)
              .description("Keel listener " + name(l) + " on topic " + l.topic())
              .build());
    }
    List<ConsumerSpec> snapshot = List.copyOf(consumers);
    return b -> {
      b.service(ServiceSpec.of(service, null));
      snapshot.forEach(b::consumer);
    };
  }

  /**
   * The topics of a Kafka cluster, read now through an admin client: partitions, retention ({@code
   * retention.ms}; none when -1) and the dead-letter topic {@code <topic>.dlq} when it exists.
   * Internal topics (names starting with {@code __}) are left out.
   *
   * @param adminProperties Kafka admin client properties (bootstrap servers, security); never
   *     logged
   * @param timeout how long to wait for the cluster
   * @throws dev.keel.event.RetriableKeelException when the cluster does not answer in time
   */
  public static TopologySource kafkaTopics(Map<String, Object> adminProperties, Duration timeout) {
    List<TopicSpec> topics = KafkaTopicReader.read(adminProperties, timeout);
    return b -> topics.forEach(b::topic);
  }

  /**
   * A saga definition run by an orchestrator service: the saga and its steps, the commands it sends
   * (through the outbox, to the participant handling each command topic), the replies the
   * participants send back on the reply topic and, when the definition has an outcome topic, the
   * outcome facts ({@code <saga>.completed}, {@code .compensated}, {@code .failed}, {@code
   * .compensation-failed}). Steps run locally in the orchestrator's transaction have no command and
   * are left out; failure replies are chosen by participants at run time and are not listed.
   *
   * @param orchestrator the service that runs the saga, declared by this source
   * @param definition the definition
   * @param participants the participant service of each command topic the definition uses; every
   *     participant is declared by this source
   * @throws KeelConfigurationException when a command topic has no participant or the definition
   *     has no reply topic
   */
  public static TopologySource saga(
      String orchestrator, SagaDefinition<?> definition, Map<String, String> participants) {
    return SagaDescription.of(orchestrator, definition, participants);
  }

  private static String name(ListenerDefinition l) {
    return l.name() != null && !l.name().isBlank()
        ? l.name()
        : l.group() + ":" + l.eventType().orElse(l.topic());
  }

  private static IdempotencySpec idempotency(IdempotencyKey key, Duration retention) {
    String by =
        key.source() == IdempotencyKey.Source.EVENT_ID ? IdempotencySpec.EVENT_ID : key.name();
    return new IdempotencySpec(IdempotencySpec.Strategy.DEDUPE_TABLE, by, retention);
  }

  static RetrySpec retry(RetryPolicy policy, List<Duration> tiers) {
    int attempts = policy.maxAttempts(FailureClass.TRANSIENT);
    return new RetrySpec(
        tiers.isEmpty() ? RetrySpec.Mode.IN_PLACE : RetrySpec.Mode.NON_BLOCKING,
        attempts,
        policy.initialDelay(),
        policy.multiplier(),
        policy.maxDelay(),
        policy.jitter(),
        tiers);
  }
}
