package dev.keel.saga;

import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.saga.internal.DefaultSagaParticipant;
import dev.keel.saga.internal.ParticipantRegistration;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

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
 *   <li>a compensation undoes an applied action only when it carries that action's step token
 *       ({@code keel-saga-step-token}); a command with another token is refused;
 *   <li>the reply goes through the outbox in the same transaction, to the topic in the command's
 *       {@code keel-saga-reply-to} header only when it is one of {@link Builder#replyTopics}
 *       (otherwise the command is refused and dead-lettered), carrying the saga headers, the
 *       attempt and the id of the command answered ({@code keel-saga-command-id}).
 * </ul>
 *
 * <pre>{@code
 * SagaParticipant payments = SagaParticipant.builder()
 *     .group("payments")
 *     .outbox(outbox)
 *     .replyTopicOf(orderFulfillment)
 *     .onCommand("payments.commands", PaymentContracts.AUTHORIZE,
 *         cmd -> paymentService.authorize(cmd.connection(), cmd.payload()))
 *     .onCompensate("payments.commands", PaymentContracts.VOID,
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
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private String group;
    private String source;
    private Outbox outbox;
    private TableNames tableNames = TableNames.defaults();
    private final List<ParticipantRegistration<?>> registrations = new ArrayList<>();
    private final Set<String> replyTopics = new LinkedHashSet<>();
    private MeterRegistry meterRegistry;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The shared database: its table names (the participant writes through the outbox's
     * connection).
     */
    public Builder database(dev.keel.event.config.KeelDatabase database) {
      this.tableNames = database.tableNames();
      return this;
    }

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
     * The topics this participant may send replies to: a command whose {@code keel-saga-reply-to}
     * names any other topic is refused (dead-lettered, counted in {@code
     * keel.saga.commands.rejected{reason=reply-topic}}), never obeyed. At least one is required.
     *
     * @param topics reply topics of the sagas this participant serves
     */
    public Builder replyTopics(String... topics) {
      replyTopics.addAll(Arrays.asList(topics));
      return this;
    }

    /**
     * Allows replies to the reply topic of a saga definition.
     *
     * @param definition a saga whose commands this participant handles
     */
    public Builder replyTopicOf(SagaDefinition<?> definition) {
      Objects.requireNonNull(definition, "definition").replyTopic().ifPresent(replyTopics::add);
      return this;
    }

    /**
     * Where refused commands are counted ({@code keel.saga.commands.rejected}); none by default.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    /** The clock of the participant rows' {@code updated_at}; UTC system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Handles a step action under its shared contract.
     *
     * @param topic the command topic
     * @param contract the command type and payload class, the success reply type, the declared
     *     failure types; its participant must be this participant's {@link #source}
     * @param handler applies the action and returns the success reply's payload
     * @param <C> the command payload type
     */
    public <C> Builder onCommand(
        String topic, StepContract<C, ?> contract, CommandHandler<C> handler) {
      registrations.add(new ParticipantRegistration<>(false, topic, contract, handler));
      return this;
    }

    /**
     * Handles a compensation under its shared contract. The handler runs only when the step's
     * action was applied here, and only for a compensation carrying that action's step token;
     * otherwise the compensation is empty and succeeds without it.
     *
     * @param topic the command topic
     * @param contract the compensation's contract
     * @param handler undoes the action and returns the success reply's payload
     * @param <C> the compensation payload type
     */
    public <C> Builder onCompensate(
        String topic, StepContract<C, ?> contract, CommandHandler<C> handler) {
      registrations.add(new ParticipantRegistration<>(true, topic, contract, handler));
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
     * @deprecated repeats the names of the definition; use {@link #onCommand(String, StepContract,
     *     CommandHandler)}
     */
    @Deprecated
    public <C> Builder onCommand(
        String topic,
        String commandType,
        Class<C> payloadType,
        String replyType,
        CommandHandler<C> handler) {
      return onCommand(
          topic, StepContract.untyped(commandType, payloadType, replyType, null), handler);
    }

    /**
     * Handles a compensation.
     *
     * @param topic the command topic
     * @param commandType the compensation, such as {@code payment.void}
     * @param payloadType the compensation payload class
     * @param replyType the success reply, such as {@code payment.voided}
     * @param handler undoes the action and returns the reply payload
     * @param <C> the compensation payload type
     * @deprecated use {@link #onCompensate(String, StepContract, CommandHandler)}
     */
    @Deprecated
    public <C> Builder onCompensate(
        String topic,
        String commandType,
        Class<C> payloadType,
        String replyType,
        CommandHandler<C> handler) {
      return onCompensate(
          topic, StepContract.untyped(commandType, payloadType, replyType, null), handler);
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
      if (outbox == null || tableNames == null || clock == null) {
        throw new KeelConfigurationException(
            "SagaParticipant " + group + ": outbox, tableNames and clock are required");
      }
      if (registrations.isEmpty()) {
        throw new KeelConfigurationException(
            "SagaParticipant " + group + ": at least one onCommand or onCompensate is required");
      }
      String replySource = source != null ? source : group;
      for (ParticipantRegistration<?> r : registrations) {
        r.validate(group, replySource);
      }
      if (replyTopics.isEmpty()) {
        throw new KeelConfigurationException(
            "SagaParticipant "
                + group
                + ": replyTopics (or replyTopicOf(definition)) is required: replies go only to"
                + " the topics allowed here");
      }
      for (String t : replyTopics) {
        if (t == null || !TOPIC.matcher(t).matches()) {
          throw new KeelConfigurationException(
              "SagaParticipant "
                  + group
                  + ": replyTopics must be legal Kafka topic names, was "
                  + t);
        }
      }
      return new DefaultSagaParticipant(
          group,
          replySource,
          Objects.requireNonNull(outbox),
          tableNames,
          List.copyOf(registrations),
          replyTopics,
          meterRegistry,
          clock);
    }
  }
}
