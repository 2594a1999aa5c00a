package dev.keel.saga;

import dev.keel.event.KeelConfigurationException;
import java.time.Duration;
import java.util.function.Function;

/**
 * One step of a {@link SagaDefinition}: its {@link StepAction} (a command to a participant, or a
 * {@link LocalAction} in the orchestrator's transaction), its {@link Compensation} (a command, a
 * local action, or none stated explicitly), a timeout and a {@link FailurePolicy}.
 *
 * <p>Built through {@link SagaDefinition.Builder#step}; immutable and thread-safe once built.
 *
 * @param <D> the saga data type
 */
public final class SagaStep<D> {

  private final String name;
  private final StepAction<D> action;
  private final Compensation<D> compensation;
  private final Duration timeout;
  private final FailurePolicy failurePolicy;
  private final boolean pivot;

  /** Built from a builder that {@link DefinitionRules} accepted. */
  SagaStep(Builder<D> b, Duration defaultTimeout) {
    this.name = b.name;
    this.action =
        b.actionKind == Builder.Kind.LOCAL
            ? new StepAction.Local<>(b.localAction)
            : new StepAction.Remote<>(
                new RemoteCommand<>(
                    b.commandTopic,
                    b.actionContract != null
                        ? b.actionContract
                        : StepContract.untyped(
                            b.commandType, Object.class, b.replyType, b.replyClass),
                    b.commandPayload),
                b.replyHandler);
    this.compensation =
        switch (b.compensationKind) {
          case NONE -> new Compensation.None<>();
          case LOCAL -> new Compensation.Local<>(b.localCompensation);
          case REMOTE ->
              new Compensation.Remote<>(
                  new RemoteCommand<>(
                      b.compensationTopic,
                      b.compensationContract != null
                          ? b.compensationContract
                          : StepContract.untyped(
                              b.compensationType, Object.class, b.compensationReplyType, null),
                      b.compensationPayload));
        };
    this.timeout = b.timeout != null ? b.timeout : defaultTimeout;
    this.failurePolicy = b.failurePolicy;
    this.pivot = b.pivot;
  }

  /** The step name, unique within its definition; carried in {@code keel-saga-step}. */
  public String name() {
    return name;
  }

  /** What the step does: a {@link StepAction.Local} call or a {@link StepAction.Remote} command. */
  public StepAction<D> action() {
    return action;
  }

  /**
   * How the step is undone: {@link Compensation.Local}, {@link Compensation.Remote} or {@link
   * Compensation.None}.
   */
  public Compensation<D> compensation() {
    return compensation;
  }

  /** How long a command (or a compensation command) waits for its reply. */
  public Duration timeout() {
    return timeout;
  }

  /** What a failure of this step does. */
  public FailurePolicy failurePolicy() {
    return failurePolicy;
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
    /** How an action or compensation being configured runs. */
    enum Kind {
      REMOTE,
      LOCAL,
      NONE
    }

    private final String name;
    private Kind actionKind;
    private String commandTopic;
    private String commandType;
    private Function<D, ?> commandPayload;
    private LocalAction<D> localAction;
    private String replyType;
    private Class<?> replyClass;
    private ReplyHandler<D, Object> replyHandler = (d, r) -> d;
    private Kind compensationKind;
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
      set(Kind.REMOTE, "action");
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
      set(Kind.REMOTE, "compensation");
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
      set(Kind.REMOTE, "action");
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
      set(Kind.LOCAL, "action");
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
      set(Kind.REMOTE, "compensation");
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
      set(Kind.LOCAL, "compensation");
      this.localCompensation = compensation;
      return this;
    }

    /** States that this step has nothing to undo (a read, a check, a step after the pivot). */
    public Builder<D> noCompensation() {
      set(Kind.NONE, "compensation");
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

    private void set(Kind kind, String what) {
      if (what.equals("action")) {
        if (actionKind != null) {
          throw new KeelConfigurationException(
              "SagaStep " + name + ": the action is already set (" + actionKind + ")");
        }
        actionKind = kind;
      } else {
        if (compensationKind != null) {
          throw new KeelConfigurationException(
              "SagaStep " + name + ": the compensation is already set (" + compensationKind + ")");
        }
        compensationKind = kind;
      }
    }

    Kind actionKind() {
      return actionKind;
    }

    Kind compensationKind() {
      return compensationKind;
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
