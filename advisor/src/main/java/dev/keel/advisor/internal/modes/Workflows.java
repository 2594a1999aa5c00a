package dev.keel.advisor.internal.modes;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.SagaStepSpec;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.Text;
import dev.keel.advisor.internal.doc.Doc;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Recommends choreography, orchestration or a saga per workflow, with the reason. */
final class Workflows {
  private Workflows() {}

  static void section(Topology t, Doc d) {
    d.h2("Workflows");
    d.p(
        "Choreography when services react independently to a fact; orchestration when steps depend"
            + " on each other's outcome; a saga (orchestration with compensations) when a later"
            + " failure must undo earlier effects.");
    Set<String> sagaMessages = new HashSet<>();
    Doc.TableBuilder table = d.table("Workflow", "Recommended", "Reason");
    for (SagaSpec s : t.sagas()) {
      s.trigger().ifPresent(sagaMessages::add);
      for (SagaStepSpec st : s.steps()) {
        sagaMessages.add(st.onSuccess());
        st.onFailure().ifPresent(sagaMessages::add);
        st.compensated().ifPresent(sagaMessages::add);
      }
      table.row(s.name(), recommendation(s), reason(t, s));
    }
    for (EventSpec e : t.events()) {
      List<ConsumerSpec> consumers = t.consumersOf(e.name());
      if (consumers.isEmpty() || (sagaMessages.contains(e.name()) && isReplyOnly(t, e))) {
        continue;
      }
      TreeSet<String> services = new TreeSet<>();
      consumers.forEach(c -> services.add(c.service()));
      table.row(
          "reactions to " + e.name(),
          "Choreography",
          services.size()
              + (services.size() == 1 ? " service reacts" : " services react")
              + " independently ("
              + String.join(", ", services)
              + "); no reply or compensation"
              + " is needed, so no coordinator: "
              + e.producer()
              + " does not know its consumers.");
    }
    table.end();
    for (SagaSpec s : t.sagas()) {
      d.h3("Saga " + s.name());
      sagaSteps(t, s, d);
      d.diagram("stateDiagram-v2", Mermaid.saga(s));
    }
  }

  /** A saga reply consumed only by the orchestrator is part of the saga, not a reaction. */
  private static boolean isReplyOnly(Topology t, EventSpec e) {
    Set<String> orchestrators = new HashSet<>();
    t.sagas().forEach(s -> orchestrators.add(s.orchestrator()));
    return t.consumersOf(e.name()).stream().allMatch(c -> orchestrators.contains(c.service()));
  }

  private static String recommendation(SagaSpec s) {
    long compensated = s.steps().stream().filter(st -> st.compensation().isPresent()).count();
    return compensated == 0 ? "Orchestration" : "Saga (orchestrated, compensating)";
  }

  private static String reason(Topology t, SagaSpec s) {
    TreeSet<String> participants = new TreeSet<>();
    s.steps()
        .forEach(
            st -> t.command(st.command()).map(CommandSpec::handler).ifPresent(participants::add));
    List<String> lacking =
        s.steps().stream()
            .filter(st -> st.compensation().isEmpty())
            .map(SagaStepSpec::name)
            .toList();
    String base =
        Text.count(s.steps().size(), "step")
            + " across "
            + String.join(", ", participants)
            + "; "
            + s.orchestrator()
            + " owns the state, the timeouts and the decisions";
    if (lacking.size() == s.steps().size()) {
      return base + "; no step declares a compensation, so a failure stops without undo.";
    }
    if (!lacking.isEmpty()) {
      return base
          + "; a later failure must undo earlier steps, but "
          + String.join(", ", lacking)
          + " cannot be undone yet (KEEL-R013).";
    }
    return base + "; a later failure must undo the earlier steps (compensations in reverse order).";
  }

  private static void sagaSteps(Topology t, SagaSpec s, Doc d) {
    d.p(
        "Orchestrator "
            + s.orchestrator()
            + ", started by "
            + s.trigger().orElse("an explicit call")
            + ", saga deadline "
            + Text.duration(s.timeout(), "none")
            + ". Terminal states: COMPLETED, COMPENSATED, FAILED,"
            + " COMPENSATION_FAILED (for an operator).");
    Doc.TableBuilder table =
        d.table(
            "#", "Step", "Command", "Participant", "Success", "Failure", "Compensation", "Timeout");
    int i = 0;
    for (SagaStepSpec st : s.steps()) {
      table.row(
          Integer.toString(++i),
          st.name(),
          st.command(),
          t.command(st.command()).map(CommandSpec::handler).orElse("?"),
          st.onSuccess(),
          st.onFailure().orElse("none"),
          st.compensation()
              .map(c -> c + st.compensated().map(x -> " -> " + x).orElse(""))
              .orElse("none"),
          Text.duration(st.timeout(), "none"));
    }
    table.end();
  }
}
