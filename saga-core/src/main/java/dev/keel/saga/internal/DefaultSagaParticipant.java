package dev.keel.saga.internal;

import dev.keel.consumer.Delivery;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelMeters;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaCommand;
import dev.keel.saga.SagaHeaders;
import dev.keel.saga.SagaParticipant;
import dev.keel.saga.SagaStepFailure;
import dev.keel.saga.StepContract;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Participant listeners with idempotent actions, empty compensation and anti-hanging; replies only
 * to allowed topics, and undoes an action only for a compensation with that action's step token.
 */
public final class DefaultSagaParticipant implements SagaParticipant {
  private static final Logger log = LoggerFactory.getLogger(DefaultSagaParticipant.class);
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  private final String group;
  private final String source;
  private final Outbox outbox;
  private final TableNames names;
  private final List<ParticipantRegistration<?>> registrations;
  private final Set<String> replyTopics;
  private final MeterRegistry meters;
  private final Clock clock;
  private final JsonCodec json = JsonCodec.create();

  /**
   * A participant; use {@link SagaParticipant#builder()}.
   *
   * @param group the consumer group
   * @param source the replies' source
   * @param outbox the outbox
   * @param names schema and prefix
   * @param registrations the commands
   * @param replyTopics the only topics replies may be sent to
   * @param meters where rejected commands are counted; may be null
   * @param clock the clock of the participant rows' times
   */
  public DefaultSagaParticipant(
      String group,
      String source,
      Outbox outbox,
      TableNames names,
      List<ParticipantRegistration<?>> registrations,
      Set<String> replyTopics,
      MeterRegistry meters,
      Clock clock) {
    this.group = group;
    this.source = source;
    this.outbox = outbox;
    this.names = names;
    this.registrations = registrations;
    this.replyTopics = Set.copyOf(replyTopics);
    this.meters = meters;
    this.clock = clock;
  }

  @Override
  public List<ListenerDefinition> listeners() {
    List<ListenerDefinition> out = new ArrayList<>();
    for (ParticipantRegistration<?> r : registrations) {
      out.add(
          ListenerDefinition.builder()
              .name("saga participant " + group + "/" + r.commandType())
              .topic(r.topic())
              .group(group)
              .eventType(r.commandType())
              .payloadType(r.payloadType())
              .handler(d -> handle(r, d))
              .build());
    }
    return out;
  }

  private <C> void handle(ParticipantRegistration<C> r, Delivery d) throws Exception {
    Event command = d.event();
    Map<String, String> h = command.headers();
    UUID sagaId = HeaderValues.sagaId(h.get(SagaHeaders.SAGA_ID));
    String step = h.get(SagaHeaders.SAGA_STEP);
    String replyTo = h.get(SagaHeaders.REPLY_TO);
    int attempt = HeaderValues.attempt(h.get(SagaHeaders.ATTEMPT));
    if (sagaId == null
        || step == null
        || step.length() > 255
        || replyTo == null
        || !TOPIC.matcher(replyTo).matches()
        || attempt < 1) {
      throw new NonRetriableKeelException(
          FailureClass.VALIDATION,
          "Saga command " + command.type() + " " + command.id() + " lacks valid saga headers");
    }
    if (!replyTopics.contains(replyTo)) {
      throw refuse(command, sagaId, step, "reply-topic", "reply topic " + replyTo + " not allowed");
    }
    String token = h.get(SagaHeaders.STEP_TOKEN);
    if (token == null || token.isEmpty() || token.length() > 64) {
      throw refuse(command, sagaId, step, "step-token", "no valid step token");
    }
    Connection c = d.connection();
    ParticipantStore store = new ParticipantStore(d.dialect(), names, clock);
    ParticipantStore.Locked locked = store.lock(c, group, sagaId.toString(), step);
    if (locked.token() != null && !locked.token().equals(token)) {
      throw refuse(
          command, sagaId, step, "step-token", "step token differs from the one of the action");
    }
    String state = locked.state();
    C payload = d.payload();
    SagaCommand<C> cmd = new SagaCommand<>(sagaId, step, attempt, payload, command, c);
    if (!r.compensation()) {
      action(r, store, state, cmd, replyTo, token);
    } else {
      compensation(r, store, state, cmd, replyTo, token);
    }
  }

  /**
   * Counts, logs and returns the exception that dead-letters a command this participant refuses to
   * obey: nothing is applied and nothing is replied.
   */
  private NonRetriableKeelException refuse(
      Event command, UUID sagaId, String step, String reason, String detail) {
    if (meters != null) {
      Counter.builder(KeelMeters.SAGA_COMMANDS_REJECTED)
          .description("Saga commands a participant refused to obey")
          .baseUnit("commands")
          .tag("group", group)
          .tag("reason", reason)
          .register(meters)
          .increment();
    }
    log.warn(
        "Saga participant {}: command {} {} for saga {} step {} refused: {}",
        group,
        command.type(),
        command.id(),
        sagaId,
        step,
        detail);
    return new NonRetriableKeelException(
        FailureClass.VALIDATION,
        "Saga participant "
            + group
            + " refused command "
            + command.type()
            + " "
            + command.id()
            + ": "
            + detail);
  }

  /** Checks a handler's failure type and success payload against the command's contract. */
  private static void checkContract(ParticipantRegistration<?> r, Object result, String failure) {
    StepContract<?, ?> contract = r.contract();
    if (failure != null && !contract.isFailure(failure, true)) {
      throw new NonRetriableKeelException(
          FailureClass.CONTRACT_VERSION,
          contract + ": the handler failed with undeclared type " + failure);
    }
    if (failure == null
        && result != null
        && contract.successClass() != null
        && !contract.successClass().isInstance(result)) {
      throw new NonRetriableKeelException(
          FailureClass.CONTRACT_VERSION,
          contract
              + ": the handler returned "
              + result.getClass().getName()
              + ", not "
              + contract.successClass().getName());
    }
  }

  private <C> void action(
      ParticipantRegistration<C> r,
      ParticipantStore store,
      String state,
      SagaCommand<C> cmd,
      String replyTo,
      String token)
      throws Exception {
    Connection c = cmd.connection();
    if (ParticipantStore.COMPENSATED.equals(state) || ParticipantStore.EMPTY.equals(state)) {
      log.debug("Saga {} step {}: action after compensation ignored", cmd.sagaId(), cmd.step());
      return;
    }
    if (ParticipantStore.APPLIED.equals(state)) {
      ParticipantStore.Stored stored = store.stored(c, group, cmd.sagaId().toString(), cmd.step());
      reply(cmd, replyTo, stored.replyType(), stored.payload(), null, SagaHeaders.KIND_ACTION);
      return;
    }
    Savepoint sp = c.setSavepoint();
    try {
      Object result = r.handler().handle(cmd);
      checkContract(r, result, null);
      byte[] body = json.encode(result == null ? Map.of() : result);
      store.put(
          c,
          group,
          cmd.sagaId().toString(),
          cmd.step(),
          state,
          ParticipantStore.APPLIED,
          r.replyType(),
          new String(body, StandardCharsets.UTF_8),
          token);
      reply(cmd, replyTo, r.replyType(), body, null, SagaHeaders.KIND_ACTION);
    } catch (SagaStepFailure f) {
      checkContract(r, null, f.replyType());
      c.rollback(sp);
      store.put(
          c,
          group,
          cmd.sagaId().toString(),
          cmd.step(),
          state,
          ParticipantStore.FAILED,
          f.replyType(),
          null,
          token);
      reply(
          cmd,
          replyTo,
          f.replyType(),
          "{}".getBytes(StandardCharsets.UTF_8),
          f,
          SagaHeaders.KIND_ACTION);
    }
  }

  private <C> void compensation(
      ParticipantRegistration<C> r,
      ParticipantStore store,
      String state,
      SagaCommand<C> cmd,
      String replyTo,
      String token)
      throws Exception {
    Connection c = cmd.connection();
    String saga = cmd.sagaId().toString();
    byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
    if (state == null || ParticipantStore.FAILED.equals(state)) {
      // Compensation before (or instead of) the action: nothing to undo; blocks a late action.
      store.put(
          c, group, saga, cmd.step(), state, ParticipantStore.EMPTY, r.replyType(), null, token);
      reply(cmd, replyTo, r.replyType(), empty, null, SagaHeaders.KIND_COMPENSATION);
      return;
    }
    if (!ParticipantStore.APPLIED.equals(state)) {
      reply(cmd, replyTo, r.replyType(), empty, null, SagaHeaders.KIND_COMPENSATION);
      return;
    }
    Savepoint sp = c.setSavepoint();
    try {
      Object result = r.handler().handle(cmd);
      checkContract(r, result, null);
      byte[] body = json.encode(result == null ? Map.of() : result);
      store.put(
          c,
          group,
          saga,
          cmd.step(),
          state,
          ParticipantStore.COMPENSATED,
          r.replyType(),
          null,
          token);
      reply(cmd, replyTo, r.replyType(), body, null, SagaHeaders.KIND_COMPENSATION);
    } catch (SagaStepFailure f) {
      checkContract(r, null, f.replyType());
      c.rollback(sp);
      reply(cmd, replyTo, f.replyType(), empty, f, SagaHeaders.KIND_COMPENSATION);
    }
  }

  private void reply(
      SagaCommand<?> cmd,
      String replyTo,
      String type,
      byte[] payload,
      SagaStepFailure failure,
      String kind)
      throws SQLException {
    Event.Builder b =
        Event.builder()
            .type(type)
            .topic(replyTo)
            .key(cmd.event().key().orElse(cmd.sagaId().toString()))
            .source(source)
            .header(SagaHeaders.SAGA_ID, cmd.sagaId().toString())
            .header(SagaHeaders.SAGA_STEP, cmd.step())
            .header(SagaHeaders.KIND, kind)
            .header(SagaHeaders.ATTEMPT, Integer.toString(cmd.attempt()))
            .header(SagaHeaders.COMMAND_ID, cmd.event().id().toString())
            .header(SagaHeaders.OUTCOME, failure == null ? "success" : "failure")
            .payload(payload);
    if (failure != null) {
      b.header(SagaHeaders.FAILURE_CLASS, failure.failureClass().name());
      String reason = failure.getMessage() == null ? "" : failure.getMessage();
      b.header(SagaHeaders.FAILURE_REASON, SagaText.clean(reason, 500));
    }
    outbox.append(cmd.connection(), b.build());
  }
}
