package dev.keel.saga;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.event.KeelConfigurationException;
import dev.keel.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A typed saga: its name, data class, steps in order, reply and outcome topics, and how older saga
 * data is migrated to the current shape.
 *
 * <pre>{@code
 * SagaDefinition<OrderSagaData> saga = SagaDefinition.builder("order-fulfillment", OrderSagaData.class)
 *     .replyTopic("order-fulfillment.replies")
 *     .outcomeTopic("order-fulfillment.outcomes")
 *     .step("reserve-stock", s -> s
 *         .command("inventory.commands", RESERVE, d -> new Reserve(d.orderId(), d.items()))
 *         .compensation("inventory.commands", RELEASE, d -> new Release(d.orderId()))
 *         .timeout(Duration.ofSeconds(30)))
 *     .step("authorize-payment", s -> s
 *         .command("payments.commands", AUTHORIZE, d -> new Authorize(d.orderId(), d.total()),
 *             (d, r) -> d.withAuthorization(r.id()))
 *         .compensation("payments.commands", VOID, d -> new Void(d.authorization()))
 *         .pivot())
 *     .step("ship", s -> s
 *         .command("shipping.commands", SHIP, d -> new Ship(d.orderId()))
 *         .noCompensation()
 *         .onFailure(FailurePolicy.retryForward(RetryPolicy.builder().maxAttempts(10).build())))
 *     .build();
 * }</pre>
 *
 * <p>{@code RESERVE}, {@code AUTHORIZE}, ... are {@link StepContract}s shared with the
 * participants. Commands are requests ({@code payment.authorize}); replies and outcomes are facts
 * ({@code payment.authorized}, {@code order-fulfillment.completed}). {@link Builder#build()}
 * validates the whole definition and names the step at fault.
 *
 * <p>Immutable and thread-safe; the builder is not.
 *
 * @param <D> the saga data type, encoded as JSON with Jackson
 */
public final class SagaDefinition<D> {
  private final String name;
  private final Class<D> dataType;
  private final int version;
  private final int dataVersion;
  private final Map<Integer, UnaryOperator<JsonNode>> migrations;
  private final String replyTopic;
  private final String outcomeTopic;
  private final String source;
  private final Function<D, String> commandKey;
  private final RetryPolicy compensationRetry;
  private final List<SagaStep<D>> steps;

  private SagaDefinition(Builder<D> b, List<SagaStep<D>> steps) {
    this.name = b.name;
    this.dataType = b.dataType;
    this.version = b.version;
    this.dataVersion = b.dataVersion;
    this.migrations = Collections.unmodifiableMap(new TreeMap<>(b.migrations));
    this.steps = List.copyOf(steps);
    // a saga whose steps are all local receives no reply: no topic, so no reply consumer either
    this.replyTopic = sendsCommands() ? b.replyTopic : null;
    this.outcomeTopic = b.outcomeTopic;
    this.source = b.source != null ? b.source : b.name;
    this.commandKey = b.commandKey;
    this.compensationRetry = b.compensationRetry;
  }

  /**
   * Starts a definition.
   *
   * @param name the saga name, lower-case words joined by '-', '_' or '.', such as {@code
   *     order-fulfillment}; outcomes are {@code <name>.completed|compensated|failed}
   * @param dataType the saga data class
   * @param <D> the saga data type
   */
  public static <D> Builder<D> builder(String name, Class<D> dataType) {
    return new Builder<>(name, dataType);
  }

  /** The saga name. */
  public String name() {
    return name;
  }

  /** The saga data class. */
  public Class<D> dataType() {
    return dataType;
  }

  /** The definition version, stored with every saga it starts. */
  public int version() {
    return version;
  }

  /** The version of the saga data's shape written by this definition. */
  public int dataVersion() {
    return dataVersion;
  }

  /** Migrations by the data version they upgrade from (to that version plus one). */
  public Map<Integer, UnaryOperator<JsonNode>> migrations() {
    return migrations;
  }

  /**
   * The topic participants reply to, empty when every step is local (then the orchestrator needs no
   * reply consumer and no Kafka consumer properties).
   */
  public Optional<String> replyTopic() {
    return Optional.ofNullable(replyTopic);
  }

  /** Whether a step's action or compensation is a command to a participant. */
  public boolean sendsCommands() {
    return steps.stream()
        .anyMatch(
            s ->
                s.action() instanceof StepAction.Remote
                    || s.compensation() instanceof Compensation.Remote);
  }

  /** The topic of the outcome facts, empty when none are published. */
  public Optional<String> outcomeTopic() {
    return Optional.ofNullable(outcomeTopic);
  }

  /** The {@code keel-source} of commands and outcomes; the saga name by default. */
  public String source() {
    return source;
  }

  /** The partition key of commands, from the data; null means the saga id. */
  public Function<D, String> commandKey() {
    return commandKey;
  }

  /** How compensations are retried before the saga ends in {@code COMPENSATION_FAILED}. */
  public RetryPolicy compensationRetry() {
    return compensationRetry;
  }

  /** The steps in order. */
  public List<SagaStep<D>> steps() {
    return steps;
  }

  /** The index of the step with this name, or -1. */
  public int indexOf(String stepName) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).name().equals(stepName)) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the pivot step, or -1 when there is none. */
  public int pivotIndex() {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).isPivot()) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return "saga " + name + " v" + version;
  }

  /**
   * Builds a {@link SagaDefinition}. Not thread-safe.
   *
   * @param <D> the saga data type
   */
  public static final class Builder<D> {
    final String name;
    final Class<D> dataType;
    int version = 1;
    int dataVersion = 1;
    final Map<Integer, UnaryOperator<JsonNode>> migrations = new TreeMap<>();
    String replyTopic;
    String outcomeTopic;
    String source;
    Function<D, String> commandKey;
    Duration defaultTimeout = Duration.ofSeconds(30);
    RetryPolicy compensationRetry =
        RetryPolicy.builder()
            .maxAttempts(5)
            .initialDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofMinutes(1))
            .build();
    final List<SagaStep.Builder<D>> steps = new ArrayList<>();

    private Builder(String name, Class<D> dataType) {
      this.name = name;
      this.dataType = dataType;
    }

    /** The definition version, at least 1; 1 by default. Raise it when the steps change. */
    public Builder<D> version(int version) {
      this.version = version;
      return this;
    }

    /**
     * The version of the saga data's shape, at least 1; 1 by default. Sagas stored with an older
     * version are upgraded by {@link #migrateData} when they are next loaded.
     */
    public Builder<D> dataVersion(int dataVersion) {
      this.dataVersion = dataVersion;
      return this;
    }

    /**
     * Upgrades stored saga data from {@code fromVersion} to {@code fromVersion + 1}.
     *
     * @param fromVersion the version the migration reads
     * @param migration returns the upgraded JSON tree (may modify and return its argument)
     */
    public Builder<D> migrateData(int fromVersion, UnaryOperator<JsonNode> migration) {
      migrations.put(fromVersion, Objects.requireNonNull(migration, "migration"));
      return this;
    }

    /**
     * The topic participants reply to; required when any step sends a command, ignored when every
     * step is local.
     */
    public Builder<D> replyTopic(String topic) {
      this.replyTopic = topic;
      return this;
    }

    /** Where {@code <name>.completed|compensated|failed|compensation-failed} facts go; optional. */
    public Builder<D> outcomeTopic(String topic) {
      this.outcomeTopic = topic;
      return this;
    }

    /** The {@code keel-source} of commands and outcomes; the saga name by default. */
    public Builder<D> source(String source) {
      this.source = source;
      return this;
    }

    /** The partition key of commands and outcomes; the saga id by default. */
    public Builder<D> commandKey(Function<D, String> key) {
      this.commandKey = key;
      return this;
    }

    /** The timeout of steps that set none; 30 seconds by default. */
    public Builder<D> defaultTimeout(Duration timeout) {
      this.defaultTimeout = timeout;
      return this;
    }

    /** Retries of failing compensations; 5 attempts, 1 s doubling to 1 min by default. */
    public Builder<D> compensationRetry(RetryPolicy policy) {
      this.compensationRetry = policy;
      return this;
    }

    /**
     * Adds a step after the ones added so far.
     *
     * @param stepName unique within the definition; carried in {@code keel-saga-step}
     * @param config sets the action, reply, compensation, timeout and failure policy
     */
    public Builder<D> step(String stepName, Consumer<SagaStep.Builder<D>> config) {
      SagaStep.Builder<D> b = new SagaStep.Builder<>(stepName);
      Objects.requireNonNull(config, "step config").accept(b);
      steps.add(b);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws KeelConfigurationException naming the saga, the step and the rule it breaks
     */
    public SagaDefinition<D> build() {
      DefinitionRules.check(this);
      List<SagaStep<D>> built = new ArrayList<>();
      for (SagaStep.Builder<D> s : steps) {
        built.add(new SagaStep<>(s, defaultTimeout));
      }
      return new SagaDefinition<>(this, built);
    }
  }
}
