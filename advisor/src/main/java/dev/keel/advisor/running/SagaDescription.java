package dev.keel.advisor.running;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Publication;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.SagaStepSpec;
import dev.keel.advisor.ServiceSpec;
import dev.keel.advisor.spi.TopologySource;
import dev.keel.event.KeelConfigurationException;
import dev.keel.saga.Compensation;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaStep;
import dev.keel.saga.StepAction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The topology elements of one saga definition; see {@link KeelComponents#saga}. */
final class SagaDescription {
  private SagaDescription() {}

  private static final List<String> OUTCOMES =
      List.of("completed", "compensated", "failed", "compensation-failed");

  static TopologySource of(
      String orchestrator, SagaDefinition<?> definition, Map<String, String> participants) {
    Objects.requireNonNull(orchestrator, "orchestrator");
    Objects.requireNonNull(definition, "definition");
    Map<String, String> handlers = Map.copyOf(participants);
    String saga = definition.name();
    String replies =
        definition
            .replyTopic()
            .orElseThrow(
                () ->
                    new KeelConfigurationException(
                        "Saga '" + saga + "' has no reply topic: its replies cannot be described"));
    Set<String> services = new LinkedHashSet<>(List.of(orchestrator));
    Map<String, CommandSpec> commands = new LinkedHashMap<>();
    Map<String, EventSpec> events = new LinkedHashMap<>();
    List<SagaStepSpec> steps = new ArrayList<>();
    for (SagaStep<?> step : definition.steps()) {
      if (!(step.action() instanceof StepAction.Remote<?> remote)) {
        continue;
      }
      String topic = remote.command().topic();
      String participant = participant(saga, step, topic, handlers);
      services.add(participant);
      String command = remote.command().type();
      String reply = remote.command().replyType();
      commands.putIfAbsent(command, command(command, orchestrator, participant, topic));
      events.putIfAbsent(reply, reply(reply, participant, replies, saga));
      Optional<String> compensation = Optional.empty();
      Optional<String> compensated = Optional.empty();
      if (step.compensation() instanceof Compensation.Remote<?> undo) {
        String cTopic = undo.command().topic();
        String cParticipant = participant(saga, step, cTopic, handlers);
        services.add(cParticipant);
        compensation = Optional.of(undo.command().type());
        compensated = Optional.of(undo.command().replyType());
        commands.putIfAbsent(
            compensation.get(), command(compensation.get(), orchestrator, cParticipant, cTopic));
        events.putIfAbsent(
            compensated.get(), reply(compensated.get(), cParticipant, replies, saga));
      }
      steps.add(
          new SagaStepSpec(
              step.name(),
              command,
              reply,
              Optional.empty(),
              compensation,
              compensated,
              Optional.of(step.timeout())));
    }
    definition
        .outcomeTopic()
        .ifPresent(
            topic -> {
              for (String outcome : OUTCOMES) {
                String type = saga + "." + outcome;
                events.put(
                    type,
                    EventSpec.builder(type)
                        .producer(orchestrator)
                        .topic(topic)
                        .version(1)
                        .publishedVia(Publication.OUTBOX)
                        .triggeredByDbChange(true)
                        .description("Saga " + saga + " ended " + outcome)
                        .build());
              }
            });
    SagaSpec spec =
        new SagaSpec(
            saga,
            orchestrator,
            Optional.empty(),
            Optional.empty(),
            steps,
            "Saga definition " + saga + " v" + definition.version());
    List<String> declared = List.copyOf(services);
    List<CommandSpec> commandList = List.copyOf(commands.values());
    List<EventSpec> eventList = List.copyOf(events.values());
    return b -> {
      declared.forEach(s -> b.service(ServiceSpec.of(s, null)));
      commandList.forEach(b::command);
      eventList.forEach(b::event);
      b.saga(spec);
    };
  }

  private static String participant(
      String saga, SagaStep<?> step, String topic, Map<String, String> handlers) {
    String participant = handlers.get(topic);
    if (participant == null) {
      throw new KeelConfigurationException(
          "Saga '"
              + saga
              + "' step '"
              + step.name()
              + "' sends to topic '"
              + topic
              + "', which has no participant service in the map given");
    }
    return participant;
  }

  private static CommandSpec command(String name, String sender, String handler, String topic) {
    return new CommandSpec(
        name,
        sender,
        handler,
        topic,
        Optional.empty(),
        Optional.of(1),
        List.of(),
        Publication.OUTBOX,
        "Saga command");
  }

  private static EventSpec reply(String name, String producer, String topic, String saga) {
    return EventSpec.builder(name)
        .producer(producer)
        .topic(topic)
        .version(1)
        .publishedVia(Publication.OUTBOX)
        .triggeredByDbChange(true)
        .description("Reply to saga " + saga)
        .build();
  }
}
