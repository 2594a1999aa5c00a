package dev.keel.saga.internal;

import dev.keel.consumer.Delivery;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaCommand;
import dev.keel.saga.SagaHeaders;
import dev.keel.saga.SagaParticipant;
import dev.keel.saga.SagaStepFailure;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Participant listeners with idempotent actions, empty compensation and anti-hanging. */
public final class DefaultSagaParticipant implements SagaParticipant {
  private static final Logger log = LoggerFactory.getLogger(DefaultSagaParticipant.class);
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  private final String group;
  private final String source;
  private final Outbox outbox;
  private final TableNames names;
  private final List<ParticipantRegistration<?>> registrations;
  private final JsonCodec json = JsonCodec.create();

  /**
   * A participant; use {@link SagaParticipant#builder()}.
   *
   * @param group the consumer group
   * @param source the replies' source
   * @param outbox the outbox
   * @param names schema and prefix
   * @param registrations the commands
   */
  public DefaultSagaParticipant(
      String group,
      String source,
      Outbox outbox,
      TableNames names,
      List<ParticipantRegistration<?>> registrations) {
    this.group = group;
    this.source = source;
    this.outbox = outbox;
    this.names = names;
    this.registrations = registrations;
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
    Connection c = d.connection();
    ParticipantStore store = new ParticipantStore(d.dialect(), names);
    String state = store.lock(c, group, sagaId.toString(), step);
    C payload = d.payload();
    SagaCommand<C> cmd = new SagaCommand<>(sagaId, step, attempt, payload, command, c);
    if (!r.compensation()) {
      action(r, store, state, cmd, replyTo);
    } else {
      compensation(r, store, state, cmd, replyTo);
    }
  }

  private <C> void action(
      ParticipantRegistration<C> r,
      ParticipantStore store,
      String state,
      SagaCommand<C> cmd,
      String replyTo)
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
      byte[] body = json.encode(result == null ? Map.of() : result);
      store.put(
          c,
          group,
          cmd.sagaId().toString(),
          cmd.step(),
          state,
          ParticipantStore.APPLIED,
          r.replyType(),
          new String(body, StandardCharsets.UTF_8));
      reply(cmd, replyTo, r.replyType(), body, null, SagaHeaders.KIND_ACTION);
    } catch (SagaStepFailure f) {
      c.rollback(sp);
      store.put(
          c,
          group,
          cmd.sagaId().toString(),
          cmd.step(),
          state,
          ParticipantStore.FAILED,
          f.replyType(),
          null);
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
      String replyTo)
      throws Exception {
    Connection c = cmd.connection();
    String saga = cmd.sagaId().toString();
    byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
    if (state == null || ParticipantStore.FAILED.equals(state)) {
      // Compensation before (or instead of) the action: nothing to undo; blocks a late action.
      store.put(c, group, saga, cmd.step(), state, ParticipantStore.EMPTY, r.replyType(), null);
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
      byte[] body = json.encode(result == null ? Map.of() : result);
      store.put(
          c, group, saga, cmd.step(), state, ParticipantStore.COMPENSATED, r.replyType(), null);
      reply(cmd, replyTo, r.replyType(), body, null, SagaHeaders.KIND_COMPENSATION);
    } catch (SagaStepFailure f) {
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
