package dev.keel.advisor.internal;

import static dev.keel.advisor.internal.Checks.q;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.SagaStepSpec;
import dev.keel.advisor.ServiceSpec;
import dev.keel.advisor.SyncCall;
import dev.keel.advisor.TopicSpec;
import dev.keel.event.Event;
import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.Deprecation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks the references between topology elements. Each problem names the element ({@code kind},
 * {@code name}) and the property, so that the YAML reader can point at the line.
 */
public final class TopologyValidator {
  private TopologyValidator() {}

  /**
   * One inconsistency.
   *
   * @param kind service, topic, event, command, consumer, saga, step or synchronous
   * @param name the element's name (a step is {@code saga/step}, a call its {@link SyncCall#id()})
   * @param field the YAML property concerned, or empty for the element as a whole
   * @param message the sentence to show
   */
  public record Problem(String kind, String name, String field, String message) {}

  /** Returns every problem, in element order. */
  public static List<Problem> validate(
      String system,
      List<ServiceSpec> services,
      List<TopicSpec> topics,
      List<EventSpec> events,
      List<CommandSpec> commands,
      List<ConsumerSpec> consumers,
      List<SagaSpec> sagas,
      List<SyncCall> synchronous) {
    List<Problem> out = new ArrayList<>();
    if (system == null || system.isBlank()) {
      out.add(new Problem("system", "", "", "system name must not be blank"));
    }
    Set<String> svc = names(services, ServiceSpec::name, "service", out);
    Set<String> tpc = names(topics, TopicSpec::name, "topic", out);
    Set<String> evt = names(events, EventSpec::name, "event", out);
    Set<String> cmd = names(commands, CommandSpec::name, "command", out);
    names(consumers, ConsumerSpec::name, "consumer", out);
    names(sagas, SagaSpec::name, "saga", out);
    for (TopicSpec t : topics) {
      t.dlq().ifPresent(d -> ref(out, "topic", t.name(), "dlq", "dead-letter topic", d, tpc));
      if (t.dlq().filter(t.name()::equals).isPresent()) {
        out.add(new Problem("topic", t.name(), "dlq", "topic " + q(t.name()) + " is its own dlq"));
      }
    }
    for (EventSpec e : events) {
      checkEvent(e, svc, tpc, cmd, out);
    }
    for (CommandSpec c : commands) {
      String n = c.name();
      typeName("command", n, out);
      if (evt.contains(n)) {
        out.add(new Problem("command", n, "name", q(n) + " is declared as an event and a command"));
      }
      ref(out, "command", n, "sender", "service", c.sender(), svc);
      ref(out, "command", n, "handler", "service", c.handler(), svc);
      ref(out, "command", n, "topic", "topic", c.topic(), tpc);
      version(out, "command", n, c.version());
      Set<String> fields = fieldNames(c.fields());
      if (!fields.isEmpty()) {
        c.partitionKey().ifPresent(k -> field(out, "command", n, "partitionKey", k, fields));
      }
    }
    checkConsumers(consumers, svc, evt, cmd, out);
    for (SagaSpec s : sagas) {
      checkSaga(s, svc, evt, cmd, out);
    }
    for (SyncCall call : synchronous) {
      String id = call.id();
      ref(out, "synchronous", id, "caller", "service", call.caller(), svc);
      ref(out, "synchronous", id, "callee", "service", call.callee(), svc);
      call.replacedBy().ifPresent(r -> ref(out, "synchronous", id, "replacedBy", "event", r, evt));
      if (call.caller().equals(call.callee())) {
        out.add(new Problem("synchronous", id, "callee", "call " + q(id) + " calls itself"));
      }
    }
    return out;
  }

  private static void checkEvent(
      EventSpec e, Set<String> svc, Set<String> tpc, Set<String> cmd, List<Problem> out) {
    String n = e.name();
    typeName("event", n, out);
    ref(out, "event", n, "producer", "service", e.producer(), svc);
    ref(out, "event", n, "topic", "topic", e.topic(), tpc);
    version(out, "event", n, e.version());
    Set<String> fields = fieldNames(e.fields());
    if (fields.size() != e.fields().size()) {
      out.add(new Problem("event", n, "fields", "event " + q(n) + " declares a field twice"));
    }
    e.partitionKey().ifPresent(k -> field(out, "event", n, "partitionKey", k, fields));
    e.orderingKey().ifPresent(k -> field(out, "event", n, "orderingKey", k, fields));
    for (Deprecation d : e.deprecations()) {
      field(out, "event", n, "deprecations", d.field(), fields);
    }
  }

  private static void checkConsumers(
      List<ConsumerSpec> consumers,
      Set<String> svc,
      Set<String> evt,
      Set<String> cmd,
      List<Problem> out) {
    Map<String, String> groups = new HashMap<>();
    for (ConsumerSpec c : consumers) {
      String n = c.name();
      ref(out, "consumer", n, "service", "service", c.service(), svc);
      String other = groups.putIfAbsent(c.group(), n);
      if (other != null) {
        out.add(
            new Problem(
                "consumer",
                n,
                "group",
                "consumer " + q(n) + " uses group " + q(c.group()) + " of consumer " + q(other)));
      }
      if (c.consumes().isEmpty()) {
        out.add(new Problem("consumer", n, "consumes", "consumer " + q(n) + " consumes nothing"));
      }
      for (String m : c.consumes()) {
        if (!evt.contains(m) && !cmd.contains(m)) {
          out.add(
              new Problem(
                  "consumer",
                  n,
                  "consumes",
                  "consumer " + q(n) + " consumes unknown event or command " + q(m)));
        }
      }
      c.calls().forEach(s -> ref(out, "consumer", n, "calls", "service", s, svc));
    }
  }

  private static void checkSaga(
      SagaSpec s, Set<String> svc, Set<String> evt, Set<String> cmd, List<Problem> out) {
    String n = s.name();
    ref(out, "saga", n, "orchestrator", "service", s.orchestrator(), svc);
    s.trigger().ifPresent(t -> ref(out, "saga", n, "trigger", "event", t, evt));
    if (s.steps().isEmpty()) {
      out.add(new Problem("saga", n, "steps", "saga " + q(n) + " has no steps"));
    }
    Set<String> stepNames = new HashSet<>();
    for (SagaStepSpec step : s.steps()) {
      String id = n + "/" + step.name();
      if (!stepNames.add(step.name())) {
        out.add(
            new Problem("step", id, "name", "saga " + q(n) + " has two steps " + q(step.name())));
      }
      ref(out, "step", id, "command", "command", step.command(), cmd);
      ref(out, "step", id, "onSuccess", "event", step.onSuccess(), evt);
      step.onFailure().ifPresent(f -> ref(out, "step", id, "onFailure", "event", f, evt));
      step.compensation().ifPresent(c -> ref(out, "step", id, "compensation", "command", c, cmd));
      step.compensated().ifPresent(c -> ref(out, "step", id, "compensated", "event", c, evt));
    }
  }

  private static <T> Set<String> names(
      List<T> items, Function<T, String> name, String kind, List<Problem> out) {
    Set<String> seen = new HashSet<>();
    for (T item : items) {
      String n = name.apply(item);
      if (!seen.add(n)) {
        out.add(new Problem(kind, n, "name", kind + " " + q(n) + " is declared twice"));
      }
    }
    return seen;
  }

  private static void typeName(String kind, String name, List<Problem> out) {
    if (!Event.TYPE_PATTERN.matcher(name).matches()) {
      out.add(
          new Problem(
              kind,
              name,
              "name",
              kind
                  + " name "
                  + q(name)
                  + " must be lower-case words joined by dots, such as"
                  + " order.placed"));
    }
  }

  private static void version(
      List<Problem> out, String kind, String name, Optional<Integer> version) {
    if (version.isPresent() && version.get() < 1) {
      out.add(new Problem(kind, name, "version", kind + " " + q(name) + ": version must be >= 1"));
    }
  }

  private static Set<String> fieldNames(List<ContractField> fields) {
    Set<String> names = new HashSet<>();
    fields.forEach(f -> names.add(f.name()));
    return names;
  }

  private static void field(
      List<Problem> out, String kind, String name, String prop, String f, Set<String> fields) {
    if (!fields.contains(f)) {
      out.add(
          new Problem(
              kind,
              name,
              prop,
              kind + " " + q(name) + ": " + prop + " " + q(f) + " is not a field"));
    }
  }

  private static void ref(
      List<Problem> out,
      String kind,
      String name,
      String prop,
      String targetKind,
      String target,
      Set<String> known) {
    if (!known.contains(target)) {
      out.add(
          new Problem(
              kind,
              name,
              prop,
              kind
                  + " "
                  + q(name)
                  + ": "
                  + prop
                  + " "
                  + q(target)
                  + " is not a declared "
                  + targetKind));
    }
  }
}
