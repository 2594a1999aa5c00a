package dev.keel.advisor.internal.modes;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.SagaStepSpec;
import dev.keel.advisor.TopicSpec;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.Text;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Mermaid sources: the flow of producers, topics and consumers; each saga as a state machine. */
final class Mermaid {
  private Mermaid() {}

  /** Text inside a quoted Mermaid label: no double quotes, no line breaks. */
  static String label(String text) {
    return text.replace('"', '\'').replaceAll("[\\r\\n]", " ");
  }

  static String id(String prefix, String name) {
    return prefix + "_" + name.replaceAll("[^A-Za-z0-9]", "_");
  }

  /** {@code flowchart LR}: service -> topic (labelled by messages) -> consumer; DLQs dashed. */
  static String flow(Topology t) {
    StringBuilder b = new StringBuilder("flowchart LR\n");
    Map<String, TreeSet<String>> produced = new TreeMap<>();
    for (EventSpec e : t.events()) {
      produced
          .computeIfAbsent(e.producer() + "\u0000" + e.topic(), k -> new TreeSet<>())
          .add(e.name());
    }
    for (CommandSpec c : t.commands()) {
      produced
          .computeIfAbsent(c.sender() + "\u0000" + c.topic(), k -> new TreeSet<>())
          .add(c.name());
    }
    TreeSet<String> services = new TreeSet<>();
    produced.keySet().forEach(k -> services.add(k.split("\u0000")[0]));
    services.forEach(
        s -> b.append("  ").append(id("svc", s)).append("[\"").append(label(s)).append("\"]\n"));
    for (TopicSpec topic : t.topics()) {
      b.append("  ")
          .append(id("topic", topic.name()))
          .append("[(\"")
          .append(label(topic.name()))
          .append("\")]\n");
    }
    for (ConsumerSpec c : t.consumers()) {
      b.append("  ")
          .append(id("consumer", c.name()))
          .append("([\"")
          .append(label(c.service() + ": " + c.name()))
          .append("\"])\n");
    }
    produced.forEach(
        (k, messages) -> {
          String[] parts = k.split("\u0000");
          edge(b, id("svc", parts[0]), "-->", messages, id("topic", parts[1]));
        });
    for (ConsumerSpec c : t.consumers()) {
      Map<String, TreeSet<String>> byTopic = new TreeMap<>();
      c.consumes()
          .forEach(
              m ->
                  t.topicOf(m)
                      .ifPresent(tp -> byTopic.computeIfAbsent(tp, x -> new TreeSet<>()).add(m)));
      byTopic.forEach((tp, ms) -> edge(b, id("topic", tp), "-->", ms, id("consumer", c.name())));
    }
    for (TopicSpec topic : t.topics()) {
      topic
          .dlq()
          .ifPresent(
              d ->
                  b.append("  ")
                      .append(id("topic", topic.name()))
                      .append(" -.->|dead letters| ")
                      .append(id("topic", d))
                      .append('\n'));
    }
    return b.toString();
  }

  private static void edge(
      StringBuilder b, String from, String arrow, TreeSet<String> labels, String to) {
    b.append("  ")
        .append(from)
        .append(' ')
        .append(arrow)
        .append("|")
        .append(String.join(", ", labels))
        .append("| ")
        .append(to)
        .append('\n');
  }

  /**
   * {@code stateDiagram-v2} of a saga. A failure reply means the step had no effect, so
   * compensation starts with the previous step; a timeout may hide a late effect, so it starts with
   * the step itself (participants handle the empty compensation).
   */
  static String saga(SagaSpec s) {
    StringBuilder b = new StringBuilder("stateDiagram-v2\n");
    List<SagaStepSpec> steps = s.steps();
    for (SagaStepSpec step : steps) {
      b.append("  ")
          .append(state(step))
          .append(" : ")
          .append(step.name())
          .append(" (")
          .append(step.command())
          .append(")\n");
      step.compensation()
          .ifPresent(
              c ->
                  b.append("  ")
                      .append(undo(step))
                      .append(" : undo ")
                      .append(step.name())
                      .append(" (")
                      .append(c)
                      .append(")\n"));
    }
    b.append("  [*] --> ")
        .append(state(steps.get(0)))
        .append(" : ")
        .append(s.trigger().orElse("start"))
        .append('\n');
    for (int i = 0; i < steps.size(); i++) {
      SagaStepSpec step = steps.get(i);
      String success = i + 1 < steps.size() ? state(steps.get(i + 1)) : "COMPLETED";
      line(b, state(step), success, step.onSuccess());
      String onFailure = undoFrom(steps, i - 1, "FAILED");
      step.onFailure().ifPresent(f -> line(b, state(step), onFailure, f));
      String onTimeout = undoFrom(steps, i, "FAILED");
      step.timeout().ifPresent(d -> line(b, state(step), onTimeout, "timeout " + Text.duration(d)));
      if (step.compensation().isPresent()) {
        String next = undoFrom(steps, i - 1, "COMPENSATED");
        line(b, undo(step), next, step.compensated().orElse("compensated"));
        line(b, undo(step), "COMPENSATION_FAILED", "retries exhausted");
      }
    }
    for (String terminal : List.of("COMPLETED", "COMPENSATED", "FAILED", "COMPENSATION_FAILED")) {
      if (b.indexOf("--> " + terminal + " ") >= 0) {
        b.append("  ").append(terminal).append(" --> [*]\n");
      }
    }
    return b.toString();
  }

  /** The nearest compensation state at or before {@code index}, else {@code none}. */
  private static String undoFrom(List<SagaStepSpec> steps, int index, String none) {
    for (int j = index; j >= 0; j--) {
      if (steps.get(j).compensation().isPresent()) {
        return undo(steps.get(j));
      }
    }
    return none;
  }

  private static void line(StringBuilder b, String from, String to, String label) {
    b.append("  ").append(from).append(" --> ").append(to).append(" : ").append(label).append('\n');
  }

  private static String state(SagaStepSpec step) {
    return id("step", step.name());
  }

  private static String undo(SagaStepSpec step) {
    return id("undo", step.name());
  }
}
