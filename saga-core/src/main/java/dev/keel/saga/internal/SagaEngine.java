package dev.keel.saga.internal;

import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.json.JsonCodec;
import dev.keel.outbox.Outbox;
import dev.keel.retry.RetryDecision;
import dev.keel.saga.Compensation;
import dev.keel.saga.LocalAction;
import dev.keel.saga.RemoteCommand;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaHeaders;
import dev.keel.saga.SagaPhase;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaStep;
import dev.keel.saga.StepAction;
import dev.keel.saga.StepContract;
import dev.keel.saga.StepLogKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The saga state machine. Every method runs inside one database transaction with the saga row
 * locked: the state change, the step log and the next command (an outbox row) commit together.
 */
final class SagaEngine {
  private static final Logger log = LoggerFactory.getLogger(SagaEngine.class);

  private final Map<String, SagaDefinition<?>> definitions;
  private final SagaStore store;
  private final Outbox outbox;
  private final JsonCodec json;
  private final SagaData data;
  private final Clock clock;
  private final SagaMetrics metrics;

  SagaEngine(
      Map<String, SagaDefinition<?>> definitions,
      SagaStore store,
      Outbox outbox,
      JsonCodec json,
      Clock clock,
      SagaMetrics metrics) {
    this.definitions = definitions;
    this.store = store;
    this.outbox = outbox;
    this.json = json;
    this.data = new SagaData();
    this.clock = clock;
    this.metrics = metrics;
  }

  Optional<SagaDefinition<?>> definition(String name) {
    return Optional.ofNullable(definitions.get(name));
  }

  <D> UUID start(Connection c, SagaDefinition<D> def, D initial) throws SQLException {
    Instant now = clock.instant();
    SagaRow row = new SagaRow();
    row.id = UUID.randomUUID();
    row.name = def.name();
    row.definitionVersion = def.version();
    row.state = SagaState.RUNNING;
    row.stepIndex = 0;
    row.stepName = def.steps().get(0).name();
    row.phase = SagaPhase.AWAIT;
    row.attempt = 1;
    row.dataJson = data.encode(initial);
    row.dataVersion = def.dataVersion();
    row.lockVersion = 0;
    row.logSeq = 0;
    row.createdAt = now;
    row.updatedAt = now;
    row.stepStartedAt = now;
    row.lastProgressAt = now;
    row.secret = StepTokens.newSecret();
    store.insert(c, row);
    Run<D> r = new Run<>(c, def, row, initial, now);
    store.log(c, row, null, StepLogKind.STARTED, "definition v" + def.version(), now);
    runForward(r, 0);
    save(r);
    metrics.started(def.name());
    return row.id;
  }

  /** Applies a reply; stale and unknown replies are ignored. */
  void onReply(Connection c, Event reply) throws SQLException {
    Map<String, String> h = reply.headers();
    UUID id = HeaderValues.sagaId(h.get(SagaHeaders.SAGA_ID));
    String stepName = h.get(SagaHeaders.SAGA_STEP);
    String kind = h.get(SagaHeaders.KIND);
    int attempt = HeaderValues.attempt(h.get(SagaHeaders.ATTEMPT));
    if (id == null || stepName == null || kind == null || attempt < 1) {
      log.debug("Saga reply {} without valid saga headers ignored", reply.id());
      return;
    }
    Optional<SagaRow> locked = store.lock(c, id);
    if (locked.isEmpty()) {
      log.debug("Reply {} for unknown saga {} ignored", reply.id(), id);
      return;
    }
    SagaRow row = locked.get();
    boolean action = SagaHeaders.KIND_ACTION.equals(kind);
    SagaState expected = action ? SagaState.RUNNING : SagaState.COMPENSATING;
    if (row.state != expected
        || row.phase != SagaPhase.AWAIT
        || !stepName.equals(row.stepName)
        || attempt != row.attempt) {
      log.debug("Stale reply {} for saga {} step {} ignored", reply.type(), id, stepName);
      return;
    }
    Run<?> r = load(c, row);
    String refused = authenticate(r, reply, action);
    if (refused != null) {
      metrics.replyRejected(row.name, refused);
      log.warn(
          "Saga {} {} step {}: reply {} {} from {} refused ({}), not applied",
          row.name,
          id,
          stepName,
          reply.type(),
          reply.id(),
          reply.source(),
          refused);
      return;
    }
    handleReply(r, reply, action);
    save(r);
  }

  /**
   * Why a reply that matches the saga's step, kind and attempt is still not the answer to the
   * command the saga waits on; null when it is. A reply type the step's contract does not declare
   * is a contract error, dead-lettered by the consumer runtime.
   */
  private <D> String authenticate(Run<D> r, Event reply, boolean action) {
    SagaStep<D> step = r.step();
    Optional<StepContract<?, ?>> contract =
        (action ? command(step.action()) : command(step.compensation()))
            .map(RemoteCommand::contract);
    if (contract.isEmpty()) {
      return "unexpected-type";
    }
    String commandId = reply.headers().get(SagaHeaders.COMMAND_ID);
    if (r.row.commandId != null) {
      if (commandId == null) {
        return "missing-command-id";
      }
      if (!commandId.equals(r.row.commandId)) {
        return "command-id";
      }
    }
    Optional<String> participant = contract.get().participant();
    if (participant.isPresent() && !participant.get().equals(reply.source())) {
      return "source";
    }
    boolean saysFailure = "failure".equals(reply.headers().get(SagaHeaders.OUTCOME));
    if (!reply.type().equals(contract.get().successType())
        && !contract.get().isFailure(reply.type(), saysFailure)) {
      metrics.replyRejected(r.def.name(), "unexpected-type");
      log.warn(
          "Saga {} {} step {}: reply type {} ({}) is not declared by {}; dead-lettered",
          r.def.name(),
          r.row.id,
          step.name(),
          reply.type(),
          reply.id(),
          contract.get());
      throw new NonRetriableKeelException(
          FailureClass.CONTRACT_VERSION,
          "Saga "
              + r.def.name()
              + " "
              + r.row.id
              + " step "
              + step.name()
              + ": reply type "
              + reply.type()
              + " is not declared by "
              + contract.get()
              + " (success "
              + contract.get().successType()
              + ", failures "
              + contract.get().failureTypes()
              + ")");
    }
    return null;
  }

  /**
   * Refuses a reply whose type no definition on its topic declares: a contract error, dead-lettered
   * by the consumer runtime, never taken as a failure of the step.
   */
  void onUnknownReplyType(String sagaTag, Event reply) {
    metrics.replyRejected(sagaTag, "unknown-type");
    log.warn(
        "Saga reply {} {} from {} on {}: no saga definition declares this type; dead-lettered",
        reply.type(),
        reply.id(),
        reply.source(),
        reply.topic());
    throw new NonRetriableKeelException(
        FailureClass.CONTRACT_VERSION,
        "Saga reply type "
            + reply.type()
            + " is not declared by any step contract of "
            + sagaTag
            + " (reply "
            + reply.id()
            + ")");
  }

  private <D> void handleReply(Run<D> r, Event reply, boolean action) throws SQLException {
    SagaStep<D> step = r.step();
    Map<String, String> h = reply.headers();
    boolean success = !"failure".equals(h.get(SagaHeaders.OUTCOME));
    if (action) {
      StepAction.Remote<D> remote = (StepAction.Remote<D>) step.action(); // authenticated
      StepContract<?, ?> contract = remote.command().contract();
      if (success && reply.type().equals(contract.successType())) {
        Object payload =
            contract.successClass() == null
                ? null
                : json.decode(reply.payload(), contract.successClass());
        r.data = remote.onSuccess().apply(r.data, payload);
        actionDone(r, step, reply.type());
        runForward(r, r.row.stepIndex + 1);
      } else {
        FailureClass fc = failureClass(h.get(SagaHeaders.FAILURE_CLASS));
        String reason = reason(reply, h, success);
        store.log(r.c, r.row, step.name(), StepLogKind.ACTION_FAILED, fc + ": " + reason, r.now);
        actionFailed(r, step, fc, reason, false);
      }
    } else if (success
        && reply.type().equals(command(step.compensation()).orElseThrow().replyType())) {
      compensated(r, step, reply.type());
      runCompensation(r, r.row.stepIndex - 1);
    } else {
      String reason = reason(reply, h, success);
      store.log(r.c, r.row, step.name(), StepLogKind.COMPENSATION_FAILED, reason, r.now);
      compensationFailed(r, step, FailureClass.TRANSIENT, reason);
    }
  }

  /** Handles a due deadline of a claimed saga: a step timeout or the next retry attempt. */
  void onDeadline(Connection c, SagaRow row) throws SQLException {
    Run<?> r = load(c, row);
    deadline(r);
    save(r);
  }

  private <D> void deadline(Run<D> r) throws SQLException {
    SagaStep<D> step = r.step();
    boolean forward = r.row.state == SagaState.RUNNING;
    if (r.row.phase == SagaPhase.RETRY) {
      r.row.phase = SagaPhase.AWAIT;
      r.row.stepStartedAt = r.now;
      if (forward) {
        if (executeAction(r, step)) {
          runForward(r, r.row.stepIndex + 1);
        }
      } else if (executeCompensation(r, step)) {
        runCompensation(r, r.row.stepIndex - 1);
      }
      return;
    }
    String reason = "no reply within " + step.timeout();
    store.log(r.c, r.row, step.name(), StepLogKind.TIMED_OUT, reason, r.now);
    if (forward) {
      actionFailed(r, step, FailureClass.TRANSIENT, reason, true);
    } else {
      compensationFailed(r, step, FailureClass.TRANSIENT, reason);
    }
  }

  private <D> void runForward(Run<D> r, int from) throws SQLException {
    var steps = r.def.steps();
    for (int i = from; i < steps.size(); i++) {
      SagaStep<D> step = steps.get(i);
      enter(r, SagaState.RUNNING, i);
      if (!executeAction(r, step)) {
        return;
      }
    }
    finish(r, SagaState.COMPLETED);
  }

  /** Runs the current attempt of a step's action; true when it completed in this transaction. */
  private <D> boolean executeAction(Run<D> r, SagaStep<D> step) throws SQLException {
    if (step.action() instanceof StepAction.Remote<D> remote) {
      send(r, step, remote.command(), SagaHeaders.KIND_ACTION);
      return false;
    }
    LocalAction<D> local = ((StepAction.Local<D>) step.action()).action();
    Savepoint sp = r.c.setSavepoint();
    try {
      D next = local.apply(r.c, r.data);
      r.data = next;
    } catch (Exception e) {
      r.c.rollback(sp);
      FailureClass fc = LocalFailures.ofAction(e);
      String reason = LocalFailures.reason(e);
      store.log(r.c, r.row, step.name(), StepLogKind.ACTION_FAILED, fc + ": " + reason, r.now);
      actionFailed(r, step, fc, reason, false);
      return false;
    }
    actionDone(r, step, "local");
    return true;
  }

  private <D> void actionFailed(
      Run<D> r, SagaStep<D> step, FailureClass fc, String reason, boolean possiblyApplied)
      throws SQLException {
    if (step.failurePolicy().retriesForward()) {
      RetryDecision d = step.failurePolicy().retry().orElseThrow().decide(fc, r.row.attempt);
      if (d.retry()) {
        scheduleRetry(r, step, d.delay());
        return;
      }
    }
    r.row.failureReason = "step " + step.name() + ": " + reason;
    int pivot = r.def.pivotIndex();
    int i = r.row.stepIndex;
    if (pivot >= 0 && i > pivot) {
      finish(r, SagaState.FAILED);
      return;
    }
    boolean undoThis = possiblyApplied && step.compensation().undoes();
    runCompensation(r, undoThis ? i : i - 1);
  }

  private <D> void runCompensation(Run<D> r, int from) throws SQLException {
    for (int j = from; j >= 0; j--) {
      SagaStep<D> step = r.def.steps().get(j);
      if (!step.compensation().undoes()) {
        continue;
      }
      enter(r, SagaState.COMPENSATING, j);
      if (!executeCompensation(r, step)) {
        return;
      }
    }
    finish(r, SagaState.COMPENSATED);
  }

  private <D> boolean executeCompensation(Run<D> r, SagaStep<D> step) throws SQLException {
    if (step.compensation() instanceof Compensation.Remote<D> remote) {
      send(r, step, remote.command(), SagaHeaders.KIND_COMPENSATION);
      return false;
    }
    LocalAction<D> local = ((Compensation.Local<D>) step.compensation()).compensation();
    Savepoint sp = r.c.setSavepoint();
    try {
      r.data = local.apply(r.c, r.data);
    } catch (Exception e) {
      r.c.rollback(sp);
      FailureClass fc = LocalFailures.ofCompensation(e);
      String reason = LocalFailures.reason(e);
      store.log(
          r.c, r.row, step.name(), StepLogKind.COMPENSATION_FAILED, fc + ": " + reason, r.now);
      compensationFailed(r, step, fc, reason);
      return false;
    }
    compensated(r, step, "local");
    return true;
  }

  private <D> void compensationFailed(Run<D> r, SagaStep<D> step, FailureClass fc, String reason)
      throws SQLException {
    RetryDecision d = r.def.compensationRetry().decide(fc, r.row.attempt);
    if (d.retry()) {
      scheduleRetry(r, step, d.delay());
      return;
    }
    r.row.failureReason = "compensation of step " + step.name() + ": " + reason;
    finish(r, SagaState.COMPENSATION_FAILED);
  }

  private <D> void scheduleRetry(Run<D> r, SagaStep<D> step, Duration delay) throws SQLException {
    r.row.attempt++;
    r.row.phase = SagaPhase.RETRY;
    r.row.deadline = r.now.plus(delay);
    store.log(
        r.c,
        r.row,
        step.name(),
        StepLogKind.RETRY_SCHEDULED,
        "attempt " + r.row.attempt + " in " + delay,
        r.now);
  }

  private <D> void enter(Run<D> r, SagaState state, int index) {
    r.row.state = state;
    r.row.stepIndex = index;
    r.row.stepName = r.def.steps().get(index).name();
    r.row.attempt = 1;
    r.row.phase = SagaPhase.AWAIT;
    r.row.stepStartedAt = r.now;
    r.row.deadline = null;
  }

  private <D> void send(Run<D> r, SagaStep<D> step, RemoteCommand<D> remote, String kind)
      throws SQLException {
    boolean action = SagaHeaders.KIND_ACTION.equals(kind);
    String topic = remote.topic();
    String type = remote.type();
    Object payload = remote.payload().apply(r.data);
    Event command =
        Event.builder(clock)
            .type(type)
            .topic(topic)
            .key(key(r))
            .source(r.def.source())
            .header(SagaHeaders.SAGA_ID, r.row.id.toString())
            .header(SagaHeaders.SAGA_STEP, step.name())
            .header(SagaHeaders.KIND, kind)
            .header(SagaHeaders.ATTEMPT, Integer.toString(r.row.attempt))
            .header(SagaHeaders.REPLY_TO, r.def.replyTopic().orElseThrow())
            .header(SagaHeaders.STEP_TOKEN, stepToken(r, step))
            .payload(json.encode(payload))
            .build();
    outbox.append(r.c, command);
    r.row.commandId = command.id().toString();
    r.row.phase = SagaPhase.AWAIT;
    r.row.deadline = r.now.plus(step.timeout());
    store.log(
        r.c,
        r.row,
        step.name(),
        action ? StepLogKind.COMMAND_SENT : StepLogKind.COMPENSATION_SENT,
        type,
        r.now);
  }

  private <D> String stepToken(Run<D> r, SagaStep<D> step) {
    if (r.row.secret == null) {
      r.row.secret = StepTokens.newSecret(); // a saga started before tokens existed
    }
    return StepTokens.token(r.row.secret, r.row.id, step.name());
  }

  private <D> void actionDone(Run<D> r, SagaStep<D> step, String detail) throws SQLException {
    store.log(r.c, r.row, step.name(), StepLogKind.ACTION_DONE, detail, r.now);
    progress(r, step, "action");
  }

  private <D> void compensated(Run<D> r, SagaStep<D> step, String detail) throws SQLException {
    store.log(r.c, r.row, step.name(), StepLogKind.COMPENSATED, detail, r.now);
    progress(r, step, "compensation");
  }

  private <D> void progress(Run<D> r, SagaStep<D> step, String kind) {
    r.row.lastProgressAt = r.now;
    metrics.stepDone(r.def.name(), step.name(), kind, Duration.between(r.row.stepStartedAt, r.now));
  }

  private <D> void finish(Run<D> r, SagaState state) throws SQLException {
    r.row.state = state;
    r.row.phase = SagaPhase.DONE;
    r.row.deadline = null;
    r.row.lastProgressAt = r.now;
    if (state == SagaState.COMPLETED) {
      r.row.failureReason = null;
    }
    store.log(r.c, r.row, null, StepLogKind.ended(state), r.row.failureReason, r.now);
    Optional<String> topic = r.def.outcomeTopic();
    if (topic.isPresent()) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("sagaId", r.row.id.toString());
      body.put("saga", r.def.name());
      body.put("state", state.name());
      if (r.row.failureReason != null) {
        body.put("reason", r.row.failureReason);
      }
      outbox.append(
          r.c,
          Event.builder(clock)
              .type(r.def.name() + "." + outcome(state))
              .topic(topic.get())
              .key(key(r))
              .source(r.def.source())
              .header(SagaHeaders.SAGA_ID, r.row.id.toString())
              .payload(json.encode(body))
              .build());
    }
    metrics.ended(r.def.name(), state);
    if (state == SagaState.COMPENSATION_FAILED) {
      log.warn(
          "Saga {} {} ended in COMPENSATION_FAILED at step {}",
          r.def.name(),
          r.row.id,
          r.row.stepName);
    }
  }

  private static String outcome(SagaState state) {
    return switch (state) {
      case COMPLETED -> "completed";
      case COMPENSATED -> "compensated";
      case FAILED -> "failed";
      case COMPENSATION_FAILED -> "compensation-failed";
      default -> throw new IllegalStateException("not terminal: " + state);
    };
  }

  private <D> String key(Run<D> r) {
    if (r.def.commandKey() != null) {
      String k = r.def.commandKey().apply(r.data);
      if (k != null) {
        return k;
      }
    }
    return r.row.id.toString();
  }

  private Run<?> load(Connection c, SagaRow row) {
    SagaDefinition<?> def = definitions.get(row.name);
    if (def == null) {
      throw new NonRetriableKeelException(
          FailureClass.VALIDATION,
          "Saga " + row.id + ": no definition named " + row.name + " is registered here");
    }
    return loadTyped(c, def, row);
  }

  private <D> Run<D> loadTyped(Connection c, SagaDefinition<D> def, SagaRow row) {
    if (def.indexOf(row.stepName) < 0) {
      throw new NonRetriableKeelException(
          FailureClass.VALIDATION,
          "Saga "
              + row.name
              + " "
              + row.id
              + ": step "
              + row.stepName
              + " is not in definition v"
              + def.version()
              + "; keep removed steps until older sagas have finished");
    }
    D value = data.decode(row.dataJson, row.dataVersion, def);
    Run<D> r = new Run<>(c, def, row, value, clock.instant());
    row.stepIndex = def.indexOf(row.stepName);
    return r;
  }

  private <D> void save(Run<D> r) throws SQLException {
    r.row.dataJson = data.encode(r.data);
    r.row.dataVersion = r.def.dataVersion();
    r.row.updatedAt = r.now;
    store.update(r.c, r.row);
  }

  private static String reason(Event reply, Map<String, String> h, boolean success) {
    if (success) {
      return "unexpected reply type " + reply.type();
    }
    String reason = h.get(SagaHeaders.FAILURE_REASON);
    return reply.type() + (reason == null ? "" : ": " + SagaText.clean(reason, 500));
  }

  private static FailureClass failureClass(String value) {
    if (value != null) {
      for (FailureClass fc : FailureClass.values()) {
        if (fc.name().equals(value)) {
          return fc;
        }
      }
    }
    return FailureClass.BUSINESS;
  }

  /** The command of a remote action, empty for a local one. */
  static <D> Optional<RemoteCommand<D>> command(StepAction<D> action) {
    return action instanceof StepAction.Remote<D> remote
        ? Optional.of(remote.command())
        : Optional.empty();
  }

  /** The command of a remote compensation, empty otherwise. */
  static <D> Optional<RemoteCommand<D>> command(Compensation<D> compensation) {
    return compensation instanceof Compensation.Remote<D> remote
        ? Optional.of(remote.command())
        : Optional.empty();
  }

  static void requireDefinition(Map<String, SagaDefinition<?>> defs, String name) {
    if (!defs.containsKey(name)) {
      throw new KeelConfigurationException(
          "SagaOrchestrator: no saga definition named " + name + " is registered");
    }
  }

  /** One saga being advanced in one transaction. */
  static final class Run<D> {
    final Connection c;
    final SagaDefinition<D> def;
    final SagaRow row;
    final Instant now;
    D data;

    Run(Connection c, SagaDefinition<D> def, SagaRow row, D data, Instant now) {
      this.c = c;
      this.def = def;
      this.row = row;
      this.data = data;
      this.now = now;
    }

    SagaStep<D> step() {
      return def.steps().get(row.stepIndex);
    }
  }
}
