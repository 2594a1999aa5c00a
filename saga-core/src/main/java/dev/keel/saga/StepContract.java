package dev.keel.saga;

import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.contract.EventContract;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The contract of one saga command between the orchestrator and the participant that executes it:
 * the participant (its {@code keel-source}), the command type and payload class, the success reply
 * type and class, and the failure reply types. One constant shared by the {@link SagaDefinition}
 * ({@link SagaStep.Builder#command(String, StepContract, java.util.function.Function)}) and the
 * {@link SagaParticipant} ({@link SagaParticipant.Builder#onCommand(String, StepContract,
 * CommandHandler)}), so that the names are written once.
 *
 * <pre>{@code
 * static final StepContract<Authorize, Authorized> AUTHORIZE =
 *     StepContract.builder("payments", "payment.authorize", Authorize.class)
 *         .success("payment.authorized", Authorized.class)
 *         .failure("payment.declined")
 *         .build();
 * ...
 * throw AUTHORIZE.failure("payment.declined", FailureClass.BUSINESS, "insufficient funds");
 * }</pre>
 *
 * <p>At run time the orchestrator accepts only the success type and the declared failure types for
 * the step, from the named participant; any other reply type is a contract error and is
 * dead-lettered. {@link #eventContracts()} describes the messages as {@link EventContract}s for an
 * {@code EventContracts} registry. Immutable and thread-safe; the builder is not.
 *
 * @param <C> the command payload type
 * @param <R> the success reply payload type
 */
public final class StepContract<C, R> {
  private final String participant;
  private final String commandType;
  private final Class<C> commandClass;
  private final String successType;
  private final Class<R> successClass;
  private final Set<String> failureTypes;
  private final boolean anyFailureType;

  private StepContract(Builder<C, R> b, boolean anyFailureType) {
    this.participant = b.participant;
    this.commandType = b.commandType;
    this.commandClass = b.commandClass;
    this.successType = b.successType;
    this.successClass = b.successClass;
    this.failureTypes = Collections.unmodifiableSet(new LinkedHashSet<>(b.failureTypes));
    this.anyFailureType = anyFailureType;
  }

  /**
   * Starts a contract.
   *
   * @param participant the {@code keel-source} of the participant that executes the command and
   *     replies (its {@link SagaParticipant.Builder#source}, the group by default)
   * @param commandType a request, such as {@code payment.authorize}
   * @param commandClass the command payload class
   * @param <C> the command payload type
   */
  public static <C> Builder<C, Object> builder(
      String participant, String commandType, Class<C> commandClass) {
    return new Builder<>(participant, commandType, commandClass);
  }

  /** A contract of the deprecated string-based builder methods: no participant, any failure. */
  static <C> StepContract<C, Object> untyped(
      String commandType, Class<C> commandClass, String successType, Class<?> successClass) {
    Builder<C, Object> b = new Builder<>(null, commandType, commandClass);
    b.successType = successType;
    @SuppressWarnings("unchecked")
    Class<Object> cls = (Class<Object>) successClass;
    b.successClass = cls;
    return new StepContract<>(b, true);
  }

  /** The {@code keel-source} replies must carry; empty only for the deprecated string forms. */
  public Optional<String> participant() {
    return Optional.ofNullable(participant);
  }

  /** The command type. */
  public String commandType() {
    return commandType;
  }

  /** The command payload class. */
  public Class<C> commandClass() {
    return commandClass;
  }

  /** The success reply type. */
  public String successType() {
    return successType;
  }

  /** The class success replies decode into, or null when their payload is not read. */
  public Class<R> successClass() {
    return successClass;
  }

  /** The declared failure reply types. */
  public Set<String> failureTypes() {
    return failureTypes;
  }

  /**
   * Whether a reply of this type is a failure reply of this contract. The deprecated string forms
   * accept any type other than the success type, when the reply says {@code failure}.
   *
   * @param type the reply type
   * @param saysFailure whether the reply's {@code keel-saga-outcome} is {@code failure}
   */
  public boolean isFailure(String type, boolean saysFailure) {
    return failureTypes.contains(type) || (anyFailureType && saysFailure && type != null);
  }

  /**
   * Whether the contract comes from the deprecated string-based builder methods, which name no
   * participant and declare no failure types.
   */
  public boolean isUntyped() {
    return anyFailureType;
  }

  /**
   * A failure for a participant handler to throw.
   *
   * @param failureType one of {@link #failureTypes()}
   * @param failureClass {@code BUSINESS} for a refusal, {@code TRANSIENT} for "try again"
   * @param reason a short reason without personal data
   * @throws KeelConfigurationException when the type is not declared by this contract
   */
  public SagaStepFailure failure(String failureType, FailureClass failureClass, String reason) {
    if (!failureTypes.contains(failureType)) {
      throw new KeelConfigurationException(
          this + ": failure type " + failureType + " is not declared; declared: " + failureTypes);
    }
    return new SagaStepFailure(failureType, failureClass, reason);
  }

  /**
   * The command, the success reply and each failure reply as version-1 {@link EventContract}s owned
   * by the participant, with their payload classes.
   */
  public List<EventContract> eventContracts() {
    String owner = participant != null ? participant : commandType;
    List<EventContract> out = new ArrayList<>();
    out.add(EventContract.builder(commandType, 1).owner(owner).payloadType(commandClass).build());
    EventContract.Builder success = EventContract.builder(successType, 1).owner(owner);
    if (successClass != null) {
      success.payloadType(successClass);
    }
    out.add(success.build());
    for (String f : failureTypes) {
      out.add(EventContract.builder(f, 1).owner(owner).payloadType(Map.class).build());
    }
    return out;
  }

  @Override
  public String toString() {
    return "StepContract "
        + commandType
        + " -> "
        + successType
        + (participant == null ? "" : " (participant " + participant + ")");
  }

  /**
   * Builds a {@link StepContract}. Not thread-safe.
   *
   * @param <C> the command payload type
   * @param <R> the success reply payload type
   */
  public static final class Builder<C, R> {
    private final String participant;
    private final String commandType;
    private final Class<C> commandClass;
    private String successType;
    private Class<R> successClass;
    private final Set<String> failureTypes = new LinkedHashSet<>();

    private Builder(String participant, String commandType, Class<C> commandClass) {
      this.participant = participant;
      this.commandType = commandType;
      this.commandClass = commandClass;
    }

    /**
     * The success reply. Required.
     *
     * @param type a fact, such as {@code payment.authorized}
     * @param replyClass the class its payload decodes into
     * @param <S> the success reply payload type
     */
    @SuppressWarnings("unchecked")
    public <S> Builder<C, S> success(String type, Class<S> replyClass) {
      Builder<C, S> self = (Builder<C, S>) this;
      self.successType = type;
      self.successClass = replyClass;
      return self;
    }

    /**
     * The success reply, whose payload the orchestrator does not read. Required (or {@link
     * #success(String, Class)}).
     *
     * @param type a fact, such as {@code stock.reserved}
     */
    public Builder<C, Object> success(String type) {
      return success(type, null);
    }

    /**
     * Declares failure reply types, such as {@code payment.declined}.
     *
     * @param types the failure facts the participant may reply
     */
    public Builder<C, R> failure(String... types) {
      for (String t : types) {
        failureTypes.add(t);
      }
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws KeelConfigurationException naming the contract and the property
     */
    public StepContract<C, R> build() {
      String who = "StepContract " + commandType;
      if (participant == null || participant.isBlank() || participant.length() > 255) {
        throw new KeelConfigurationException(
            who + ": participant (the replies' keel-source) is required, was " + participant);
      }
      type(who, "command type", commandType);
      if (commandClass == null) {
        throw new KeelConfigurationException(who + ": the command payload class is required");
      }
      if (successType == null) {
        throw new KeelConfigurationException(who + ": success(type) is required");
      }
      type(who, "success type", successType);
      if (successType.equals(commandType)) {
        throw new KeelConfigurationException(
            who + ": the success type must differ from the command type");
      }
      for (String f : failureTypes) {
        type(who, "failure type", f);
        if (f.equals(successType) || f.equals(commandType)) {
          throw new KeelConfigurationException(
              who + ": failure type " + f + " must differ from the command and success types");
        }
      }
      return new StepContract<>(this, false);
    }

    private static void type(String who, String what, String type) {
      if (type == null || !Event.TYPE_PATTERN.matcher(type).matches()) {
        throw new KeelConfigurationException(
            who + ": " + what + " must be an event type such as payment.authorized, was " + type);
      }
    }
  }
}
