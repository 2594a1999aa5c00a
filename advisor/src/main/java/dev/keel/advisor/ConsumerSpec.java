package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A consumer: one consumer group of one service, with its delivery and failure handling. Immutable;
 * build one with {@link #builder(String)}.
 *
 * @param name the consumer's name, unique in the topology
 * @param service the service it runs in
 * @param group the Kafka consumer group (its dedupe rows are keyed by it)
 * @param consumes the events and commands it handles
 * @param ordering the order its handler needs
 * @param idempotency how redeliveries are made harmless
 * @param retry how failures are retried
 * @param poison what happens to a record that cannot be processed
 * @param replayWindow how far back operators may replay or reset offsets; zero for never
 * @param calls the services it calls synchronously while handling a record
 * @param description what it does
 */
public record ConsumerSpec(
    String name,
    String service,
    String group,
    List<String> consumes,
    Ordering ordering,
    IdempotencySpec idempotency,
    RetrySpec retry,
    Poison poison,
    Duration replayWindow,
    List<String> calls,
    String description) {

  /** The order a handler needs. */
  public enum Ordering {
    /** Any order is correct. */
    NONE,
    /** Records with the same key must be handled in the order they were published. */
    PER_KEY,
    /** All records of a partition must be handled in offset order. */
    PER_PARTITION
  }

  /** What happens to a record that cannot be processed. */
  public enum Poison {
    /** Moved to the topic's dead-letter queue; later records go on. */
    DEAD_LETTER,
    /** Dead-lettered, and every later record of its key parked until an operator resolves it. */
    PARK_KEY,
    /** The consumer stops: the partition waits for a fix. */
    STOP
  }

  /** Validates presence and copies the lists. */
  public ConsumerSpec {
    Checks.name("consumer.name", name);
    String where = "consumer " + Checks.q(name);
    Checks.name(where + ": service", service);
    Checks.name(where + ": group", group);
    consumes = Checks.list(consumes);
    Checks.present(where + ": ordering", ordering);
    Checks.present(where + ": idempotency", idempotency);
    Checks.present(where + ": retry", retry);
    Checks.present(where + ": poison", poison);
    Checks.notNegative(where + ": replayWindow", replayWindow);
    calls = Checks.list(calls);
    description = description == null ? "" : description;
  }

  /** Whether the handler needs records in order. */
  public boolean orderSensitive() {
    return ordering != Ordering.NONE;
  }

  /** Starts a consumer with this name. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Builds a {@link ConsumerSpec}. Not thread-safe. Defaults are Keel's runtime defaults. */
  public static final class Builder {
    private final String name;
    private String service;
    private String group;
    private final List<String> consumes = new ArrayList<>();
    private Ordering ordering = Ordering.NONE;
    private IdempotencySpec idempotency = IdempotencySpec.dedupeTable(Duration.ofDays(7));
    private RetrySpec retry = RetrySpec.none();
    private Poison poison = Poison.DEAD_LETTER;
    private Duration replayWindow = Duration.ZERO;
    private final List<String> calls = new ArrayList<>();
    private String description = "";

    private Builder(String name) {
      this.name = name;
    }

    /** The service. Required. */
    public Builder service(String service) {
      this.service = service;
      return this;
    }

    /** The consumer group. Required. */
    public Builder group(String group) {
      this.group = group;
      return this;
    }

    /** Adds handled events or commands. */
    public Builder consumes(String... messages) {
      consumes.addAll(List.of(messages));
      return this;
    }

    /** The order the handler needs; default none. */
    public Builder ordering(Ordering ordering) {
      this.ordering = ordering;
      return this;
    }

    /** Idempotency; default the dedupe table with a 7-day window. */
    public Builder idempotency(IdempotencySpec idempotency) {
      this.idempotency = idempotency;
      return this;
    }

    /** Retry policy; default none. */
    public Builder retry(RetrySpec retry) {
      this.retry = retry;
      return this;
    }

    /** Poison handling; default dead-letter. */
    public Builder poison(Poison poison) {
      this.poison = poison;
      return this;
    }

    /** How far back operators may replay; default zero. */
    public Builder replayWindow(Duration window) {
      this.replayWindow = window;
      return this;
    }

    /** Adds services called synchronously while handling. */
    public Builder calls(String... services) {
      calls.addAll(List.of(services));
      return this;
    }

    /** What the consumer does. */
    public Builder description(String description) {
      this.description = description;
      return this;
    }

    /** Builds the immutable spec; references are checked by {@link Topology.Builder#build()}. */
    public ConsumerSpec build() {
      return new ConsumerSpec(
          name,
          service,
          group,
          consumes,
          ordering,
          idempotency,
          retry,
          poison,
          replayWindow,
          calls,
          description);
    }
  }
}
