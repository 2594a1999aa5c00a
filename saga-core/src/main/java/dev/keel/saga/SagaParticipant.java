package dev.keel.saga;

import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.saga.internal.DefaultSagaParticipant;
import dev.keel.saga.internal.ParticipantRegistration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Listener definitions for a service that executes saga commands. For every command it keeps one
 * row per (group, saga, step) in {@code keel_saga_participant}, in the delivery's transaction:
 *
 * <ul>
 *   <li>an action is applied at most once per saga step: a redelivered command is dropped by
 *       consumer-core's dedupe, and a retried attempt of an applied action gets the stored reply
 *       again without running the handler;
 *   <li>a compensation that arrives before its action (or after a failed action) is an empty
 *       compensation: nothing is undone, success is replied, and the step is marked compensated;
 *   <li>an action that arrives after its compensation is ignored (anti-hanging);
 *   <li>the reply goes through the outbox in the same transaction, to the topic in the command's
 *       {@code keel-saga-reply-to} header, carrying the saga headers and the attempt.
 * </ul>
 *
 * <pre>{@code
 * SagaParticipant payments = SagaParticipant.builder()
 *     .group("payments")
 *     .outbox(outbox)
 *     .onCommand("payments.commands", "payment.authorize", Authorize.class, "payment.authorized",
 *         cmd -> paymentService.authorize(cmd.connection(), cmd.payload()))
 *     .onCompensate("payments.commands", "payment.void", Authorize.class, "payment.voided",
 *         cmd -> paymentService.voidAuthorization(cmd.connection(), cmd.sagaId()))
 *     .build();
 * ConsumerRuntime.Builder runtime = ConsumerRuntime.builder()...;
 * payments.listeners().forEach(runtime::listener);
 * }</pre>
 *
 * <p>The participant table is installed with the saga component: {@code
 * SchemaInstaller.builder().dataSource(ds).build().install("saga")}. Immutable and thread-safe.
 */
public interface SagaParticipant {

  /** Starts a builder. */
  static Builder builder() {
    return new Builder();
  }

  /** The listener definitions to register with a {@code ConsumerRuntime}. */
  List<ListenerDefinition> listeners();

  /** Builds a {@link SagaParticipant}. Not thread-safe. */
  final class Builder {
    private String group;
    private String source;
    private Outbox outbox;
    private TableNames tableNames = TableNames.defaults();
    private final List<ParticipantRegistration<?>> registrations = new ArrayList<>();

    private Builder() {}

    /** The consumer group, also the participant row's owner. Required. */
    public Builder group(String group) {
      this.group = group;
      return this;
    }

    /** The {@code keel-source} of replies; the group by default. */
    public Builder source(String source) {
      this.source = source;
      return this;
    }

    /** The outbox replies are appended to. Required. */
    public Builder outbox(Outbox outbox) {
      this.outbox = outbox;
      return this;
    }

    /** Schema and prefix; {@link TableNames#defaults()} by default. */
    public Builder tableNames(TableNames tableNames) {
      this.tableNames = tableNames;
      return this;
    }

    /**
     * Handles a step action.
     *
     * @param topic the command topic
     * @param commandType the command, such as {@code payment.authorize}
     * @param payloadType the command payload class
     * @param replyType the success reply, such as {@code payment.authorized}
     * @param handler applies the action and returns the reply payload
     * @param <C> the command payload type
     */
    public <C> Builder onCommand(
        String topic,
        String commandType,
        Class<C> payloadType,
        String replyType,
        CommandHandler<C> handler) {
      registrations.add(
          new ParticipantRegistration<>(
              false, topic, commandType, payloadType, replyType, handler));
      return this;
    }

    /**
     * Handles a compensation. The handler runs only when the step's action was applied here;
     * otherwise the compensation is empty and succeeds without it.
     *
     * @param topic the command topic
     * @param commandType the compensation, such as {@code payment.void}
     * @param payloadType the compensation payload class
     * @param replyType the success reply, such as {@code payment.voided}
     * @param handler undoes the action and returns the reply payload
     * @param <C> the compensation payload type
     */
    public <C> Builder onCompensate(
        String topic,
        String commandType,
        Class<C> payloadType,
        String replyType,
        CommandHandler<C> handler) {
      registrations.add(
          new ParticipantRegistration<>(true, topic, commandType, payloadType, replyType, handler));
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws KeelConfigurationException naming the property or the command
     */
    public SagaParticipant build() {
      if (group == null || group.isBlank() || group.length() > 255) {
        throw new KeelConfigurationException(
            "SagaParticipant.group is required (1 to 255 chars), was " + group);
      }
      if (outbox == null || tableNames == null) {
        throw new KeelConfigurationException(
            "SagaParticipant " + group + ": outbox and tableNames are required");
      }
      if (registrations.isEmpty()) {
        throw new KeelConfigurationException(
            "SagaParticipant " + group + ": at least one onCommand or onCompensate is required");
      }
      for (ParticipantRegistration<?> r : registrations) {
        r.validate(group);
      }
      return new DefaultSagaParticipant(
          group,
          source != null ? source : group,
          Objects.requireNonNull(outbox),
          tableNames,
          List.copyOf(registrations));
    }
  }
}
