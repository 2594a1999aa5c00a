package dev.keel.saga;

import dev.keel.event.KeelConfigurationException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * One step of a {@link SagaDefinition}: an action (a command to a participant topic, or a {@link
 * LocalAction}), a compensation (a command, a local action, or none stated explicitly), how the
 * success reply updates the saga data, a timeout and a {@link FailurePolicy}.
 *
 * <p>Built through {@link SagaDefinition.Builder#step}; immutable and thread-safe once built.
 *
 * @param <D> the saga data type
 */
public final class SagaStep<D> {

  /** How an action or compensation is executed. */
  public enum Mode {
    /** A command event to a participant topic, answered by a reply. */
    COMMAND,
    /** A call in the orchestrator's own transaction. */
    LOCAL,
    /** Nothing (compensation only, stated with {@link Builder#noCompensation()}). */
    NONE
  }

  private final String name;
  private final Mode actionMode;
  private final String commandTopic;
  private final String commandType;
  private final Function<D, ?> commandPayload;
  private final LocalAction<D> localAction;
  private final String replyType;
  private final Class<?> replyClass;
  private final ReplyHandler<D, Object> replyHandler;
  private final Mode compensationMode;
  private final String compensationTopic;
  private final String compensationType;
  private final Function<D, ?> compensationPayload;
  private final String compensationReplyType;
  private final LocalAction<D> localCompensation;
  private final Duration timeout;
  private final FailurePolicy failurePolicy;
  private final boolean pivot;
  private final StepContract<?, ?> actionContract;
  private final StepContract<?, ?> compensationContract;

  SagaStep(Builder<D> b, Duration defaultTimeout) {
    this.name = b.name;
    this.actionMode = b.actionMode;
    this.commandTopic = b.commandTopic;
    this.commandType = b.commandType;
    this.commandPayload = b.commandPayload;
    this.localAction = b.localAction;
    this.replyType = b.replyType;
    this.replyClass = b.replyClass;
    this.replyHandler = b.replyHandler;
    this.compensationMode = b.compensationMode;
    this.compensationTopic = b.compensationTopic;
    this.compensationType = b.compensationType;
    this.compensationPayload = b.compensationPayload;
    this.compensationReplyType = b.compensationReplyType;
    this.localCompensation = b.localCompensation;
    this.timeout = b.timeout != null ? b.timeout : defaultTimeout;
    this.failurePolicy = b.failurePolicy;
    this.pivot = b.pivot;
    this.actionContract =
        b.actionMode != Mode.COMMAND
            ? null
            : b.actionContract != null
                ? b.actionContract
                : StepContract.untyped(b.commandType, Object.class, b.replyType, b.replyClass);
    this.compensationContract =
        b.compensationMode != Mode.COMMAND
            ? null
            : b.compensationContract != null
                ? b.compensationContract
                : StepContract.untyped(
                    b.compensationType, Object.class, b.compensationReplyType, null);
  }

  /** The step name, unique within its definition; carried in {@code keel-saga-step}. */
  public String name() {
    return name;
  }

  /** How the action runs: {@link Mode#COMMAND} or {@link Mode#LOCAL}. */
  public Mode actionMode() {
    return actionMode;
  }

  /** The command topic, for a {@link Mode#COMMAND} action. */
  public Optional<String> commandTopic() {
    return Optional.ofNullable(commandTopic);
  }

  /** The command type, a request such as {@code payment.authorize}. */
  public Optional<String> commandType() {
    return Optional.ofNullable(commandType);
  }

  /** The command payload built from the saga data. */
  public Function<D, ?> commandPayload() {
    return commandPayload;
  }

  /** The local action, for a {@link Mode#LOCAL} action. */
  public Optional<LocalAction<D>> localAction() {
    return Optional.ofNullable(localAction);
  }

  /** The success reply type, a fact such as {@code payment.authorized}. */
  public Optional<String> replyType() {
    return Optional.ofNullable(replyType);
  }

  /** The class success replies are decoded into, empty when the payload is not read. */
  public Optional<Class<?>> replyClass() {
    return Optional.ofNullable(replyClass);
  }

  /** The reply handler. */
  public ReplyHandler<D, Object> replyHandler() {
    return replyHandler;
  }

  /** How the compensation runs. */
  public Mode compensationMode() {
    return compensationMode;
  }

  /** The compensation command topic. */
  public Optional<String> compensationTopic() {
    return Optional.ofNullable(compensationTopic);
  }

  /** The compensation command type, such as {@code payment.void}. */
  public Optional<String> compensationType() {
    return Optional.ofNullable(compensationType);
  }

  /** The compensation payload built from the saga data. */
  public Function<D, ?> compensationPayload() {
    return compensationPayload;
  }

  /** The compensation's success reply type, such as {@code payment.voided}. */
  public Optional<String> compensationReplyType() {
    return Optional.ofNullable(compensationReplyType);
  }

  /** The local compensation. */
  public Optional<LocalAction<D>> localCompensation() {
    return Optional.ofNullable(localCompensation);
  }

  /** How long a command (or a compensation command) waits for its reply. */
  public Duration timeout() {
    return timeout;
  }

  /** What a failure of this step does. */
  public FailurePolicy failurePolicy() {
    return failurePolicy;
  }

  /**
   * The contract of a {@link Mode#COMMAND} action: the participant, the command and the reply types
   * the orchestrator accepts.
   */
  public Optional<StepContract<?, ?>> actionContract() {
    return Optional.ofNullable(actionContract);
  }

  /** The contract of a {@link Mode#COMMAND} compensation. */
  public Optional<StepContract<?, ?>> compensationContract() {
    return Optional.ofNullable(compensationContract);
  }

  /** Whether this step is the pivot: once it completed, the saga can only go forward. */
  public boolean isPivot() {
    return pivot;
  }

  @Override
  public String toString() {
    return "step " + name;
  }

  /**
   * Configures one step. Not thread-safe.
   *
   * @param <D> the saga data type
   */
  public static final class Builder<D> {
    private final String name;
    private Mode actionMode;
    private String commandTopic;
    private String commandType;
    private Function<D, ?> commandPayload;
    private LocalAction<D> localAction;
    private String replyType;
    private Class<?> replyClass;
    private ReplyHandler<D, Object> replyHandler = (d, r) -> d;
    private Mode compensationMode;
    private String compensationTopic;
    private String compensationType;
    private Function<D, ?> compensationPayload;
    private String compensationReplyType;
    private LocalAction<D> localCompensation;
    private Duration timeout;
    private FailurePolicy failurePolicy = FailurePolicy.compensate();
    private boolean pivot;
    private StepContract<?, ?> actionContract;
    private StepContract<?, ?> compensationContract;
    private boolean typedAction;
    private boolean typedCompensation;

    Builder(String name) {
      this.name = name;
    }

    String name() {
      return name;
    }

    /**
     * The action is a command to a participant, under a shared {@link StepContract}; its success
     * reply leaves the saga data unchanged.
     *
     * @param topic the participant's command topic
     * @param contract the command, its participant and its reply types
     * @param payload builds the command payload (encoded as JSON) from the saga data
     * @param <C> the command payload type
     */
    public <C> Builder<D> command(
        String topic, StepContract<C, ?> contract, Function<D, ? extends C> payload) {
      return command(topic, contract, payload, (d, r) -> d);
    }

    /**
     * The action is a command to a participant, under a shared {@link StepContract}; its success
     * reply, decoded into the contract's success class, updates the saga data.
     *
     * @param topic the participant's command topic
     * @param contract the command, its participant and its reply types
     * @param payload builds the command payload (encoded as JSON) from the saga data
     * @param onSuccess returns the saga data updated with the success reply
     * @param <C> the command payload type
     * @param <R> the success reply payload type
     */
    @SuppressWarnings("unchecked")
    public <C, R> Builder<D> command(
        String topic,
        StepContract<C, R> contract,
        Function<D, ? extends C> payload,
        ReplyHandler<D, ? super R> onSuccess) {
      set(Mode.COMMAND, "action");
      this.typedAction = true;
      this.actionContract = contract;
      this.commandTopic = topic;
      this.commandType = contract == null ? null : contract.commandType();
      this.commandPayload = payload;
      this.replyType = contract == null ? null : contract.successType();
      this.replyClass = contract == null ? null : contract.successClass();
      this.replyHandler = (ReplyHandler<D, Object>) (ReplyHandler<D, ?>) onSuccess;
      return this;
    }

    /**
     * The compensation is a command to a participant, under a shared {@link StepContract}.
     *
     * @param topic the participant's command topic
     * @param contract the compensation command, its participant and its reply types
     * @param payload builds the compensation payload from the saga data
     * @param <C> the compensation payload type
     */
    public <C> Builder<D> compensation(
        String topic, StepContract<C, ?> contract, Function<D, ? extends C> payload) {
      set(Mode.COMMAND, "compensation");
      this.typedCompensation = true;
      this.compensationContract = contract;
      this.compensationTopic = topic;
      this.compensationType = contract == null ? null : contract.commandType();
      this.compensationPayload = payload;
      this.compensationReplyType = contract == null ? null : contract.successType();
      return this;
    }

    /**
     * The action is a command event to a participant.
     *
     * @param topic the participant's command topic
     * @param commandType a request, such as {@code payment.authorize}
     * @param payload builds the command payload (encoded as JSON) from the saga data
     * @deprecated repeats the type names in every participant and accepts a reply from any source;
     *     use {@link #command(String, StepContract, Function)}
     */
    @Deprecated
    public Builder<D> command(String topic, String commandType, Function<D, ?> payload) {
      set(Mode.COMMAND, "action");
      this.commandTopic = topic;
      this.commandType = commandType;
      this.commandPayload = payload;
      return this;
    }

    /**
     * The action runs in the orchestrator's transaction.
     *
     * @param action the local action
     */
    public Builder<D> local(LocalAction<D> action) {
      set(Mode.LOCAL, "action");
      this.localAction = action;
      return this;
    }

    /**
     * The success reply of a command action, decoded and applied to the saga data.
     *
     * @param replyType a fact, such as {@code payment.authorized}
     * @param type the reply payload class
     * @param handler returns the updated saga data
     * @param <R> the reply payload type
     * @deprecated use {@link #command(String, StepContract, Function, ReplyHandler)}
     */
    @Deprecated
    @SuppressWarnings("unchecked")
    public <R> Builder<D> onReply(String replyType, Class<R> type, ReplyHandler<D, R> handler) {
      this.replyType = replyType;
      this.replyClass = type;
      this.replyHandler = (ReplyHandler<D, Object>) handler;
      return this;
    }

    /**
     * The success reply of a command action, whose payload does not change the saga data.
     *
     * @param replyType a fact, such as {@code stock.reserved}
     * @deprecated use {@link #command(String, StepContract, Function)}
     */
    @Deprecated
    public Builder<D> onReply(String replyType) {
      this.replyType = replyType;
      this.replyClass = null;
      this.replyHandler = (d, r) -> d;
      return this;
    }

    /**
     * The compensation is a command event to a participant.
     *
     * @param topic the participant's command topic
     * @param commandType a request, such as {@code payment.void}
     * @param payload builds the compensation payload from the saga data
     * @param replyType the success reply, a fact such as {@code payment.voided}
     * @deprecated use {@link #compensation(String, StepContract, Function)}
     */
    @Deprecated
    public Builder<D> compensation(
        String topic, String commandType, Function<D, ?> payload, String replyType) {
      set(Mode.COMMAND, "compensation");
      this.compensationTopic = topic;
      this.compensationType = commandType;
      this.compensationPayload = payload;
      this.compensationReplyType = replyType;
      return this;
    }

    /**
     * The compensation runs in the orchestrator's transaction.
     *
     * @param compensation the local compensation
     */
    public Builder<D> localCompensation(LocalAction<D> compensation) {
      set(Mode.LOCAL, "compensation");
      this.localCompensation = compensation;
      return this;
    }

    /** States that this step has nothing to undo (a read, a check, a step after the pivot). */
    public Builder<D> noCompensation() {
      set(Mode.NONE, "compensation");
      return this;
    }

    /** How long the step waits for a reply; the definition's default when not set. */
    public Builder<D> timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** The failure policy; {@link FailurePolicy#compensate()} by default. */
    public Builder<D> onFailure(FailurePolicy policy) {
      this.failurePolicy = policy;
      return this;
    }

    /**
     * Marks this step as the pivot (point of no return). Steps after it cannot be compensated and
     * must retry forward.
     */
    public Builder<D> pivot() {
      this.pivot = true;
      return this;
    }

    private void set(Mode mode, String what) {
      if (what.equals("action")) {
        if (actionMode != null) {
          throw new KeelConfigurationException(
              "SagaStep " + name + ": the action is already set (" + actionMode + ")");
        }
        actionMode = mode;
      } else {
        if (compensationMode != null) {
          throw new KeelConfigurationException(
              "SagaStep " + name + ": the compensation is already set (" + compensationMode + ")");
        }
        compensationMode = mode;
      }
    }

    Mode actionMode() {
      return actionMode;
    }

    Mode compensationMode() {
      return compensationMode;
    }

    String commandTopic() {
      return commandTopic;
    }

    String commandType() {
      return commandType;
    }

    Function<D, ?> commandPayload() {
      return commandPayload;
    }

    LocalAction<D> localAction() {
      return localAction;
    }

    String replyType() {
      return replyType;
    }

    String compensationTopic() {
      return compensationTopic;
    }

    String compensationType() {
      return compensationType;
    }

    Function<D, ?> compensationPayload() {
      return compensationPayload;
    }

    String compensationReplyType() {
      return compensationReplyType;
    }

    LocalAction<D> localCompensationAction() {
      return localCompensation;
    }

    Duration timeoutValue() {
      return timeout;
    }

    FailurePolicy failurePolicy() {
      return failurePolicy;
    }

    boolean isPivot() {
      return pivot;
    }

    boolean typedAction() {
      return typedAction;
    }

    boolean typedCompensation() {
      return typedCompensation;
    }

    StepContract<?, ?> actionContract() {
      return actionContract;
    }

    StepContract<?, ?> compensationContract() {
      return compensationContract;
    }
  }
}
