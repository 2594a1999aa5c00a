package dev.keel.advisor.internal.modes;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Finding;
import dev.keel.advisor.SyncCall;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.Text;
import dev.keel.advisor.internal.doc.Doc;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code design} mode: facts, commands and queries; workflows; failure, replay, observability.
 */
public final class DesignMode {
  private DesignMode() {}

  /** Builds the design document. */
  public static Doc build(Topology t, List<Finding> findings) {
    Doc d = new Doc("Design: " + t.system());
    d.p(
        Text.count(t.services().size(), "service")
            + ", "
            + Text.count(t.events().size(), "event")
            + " (facts), "
            + Text.count(t.commands().size(), "command")
            + ", "
            + t.synchronous().size()
            + (t.synchronous().size() == 1
                ? " synchronous dependency, "
                : " synchronous dependencies, ")
            + Text.count(t.consumers().size(), "consumer")
            + ", "
            + Text.count(t.sagas().size(), "saga")
            + ". The review finds "
            + Text.count(findings.size(), "finding")
            + " (`keel advisor review`).");
    d.h2("Flow");
    d.p(
        "Producers publish to topics; consumers read them. Dashed arrows lead to dead-letter topics.");
    d.diagram("flowchart", Mermaid.flow(t));
    facts(t, d);
    commands(t, d);
    queries(t, d);
    Workflows.section(t, d);
    failureHandling(t, d);
    Operations.replay(t, d);
    Operations.observability(t, d);
    return d;
  }

  private static void facts(Topology t, Doc d) {
    d.h2("Facts (events)");
    d.p(
        "Immutable facts in past tense. The partition key is the Kafka record key: per-key order"
            + " holds only for events that share it.");
    Doc.TableBuilder table =
        d.table(
            "Event",
            "Producer",
            "Topic",
            "Partition key",
            "Consumers",
            "Ordering",
            "Failure strategy");
    for (EventSpec e : t.events()) {
      List<ConsumerSpec> consumers = t.consumersOf(e.name());
      table.row(
          e.name(),
          e.producer() + " (" + Text.spell(e.publishedVia()) + ")",
          e.topic(),
          e.partitionKey().orElse("none"),
          Text.join(consumers.stream().map(ConsumerSpec::name).toList(), "none"),
          ordering(e, consumers),
          Text.join(
              consumers.stream().map(c -> Describe.failureStrategy(t, c, e.topic())).toList(),
              "n/a"));
    }
    table.end();
  }

  private static String ordering(EventSpec e, List<ConsumerSpec> consumers) {
    List<String> needs =
        consumers.stream()
            .filter(ConsumerSpec::orderSensitive)
            .map(c -> c.name() + " needs " + Text.spell(c.ordering()))
            .toList();
    String key = e.orderingKey().map(k -> "by " + k).orElse("no ordering key");
    return needs.isEmpty()
        ? key + "; no consumer needs order"
        : key + "; " + String.join(", ", needs);
  }

  private static void commands(Topology t, Doc d) {
    d.h2("Commands");
    if (t.commands().isEmpty()) {
      d.p("No commands: services react to facts only.");
      return;
    }
    d.p("Requests to act, each handled by exactly one service, on command topics.");
    Doc.TableBuilder table =
        d.table("Command", "Sender", "Handler", "Topic", "Partition key", "Saga step");
    for (CommandSpec c : t.commands()) {
      String steps =
          t.sagas().stream()
              .flatMap(
                  s ->
                      s.steps().stream()
                          .filter(
                              st ->
                                  st.command().equals(c.name())
                                      || st.compensation().filter(c.name()::equals).isPresent())
                          .map(
                              st ->
                                  s.name()
                                      + "/"
                                      + st.name()
                                      + (st.command().equals(c.name()) ? "" : " (compensation)")))
              .collect(Collectors.joining(", "));
      table.row(
          c.name(),
          c.sender(),
          c.handler(),
          c.topic(),
          c.partitionKey().orElse("none"),
          steps.isEmpty() ? "none" : steps);
    }
    table.end();
  }

  private static void queries(Topology t, Doc d) {
    d.h2("Queries and synchronous calls");
    if (t.synchronous().isEmpty()) {
      d.p("No synchronous dependencies are declared.");
      return;
    }
    d.p(
        "Request-response stays synchronous where the caller needs the answer now; calls with side"
            + " effects are candidates for events (`keel advisor migration`).");
    Doc.TableBuilder table =
        d.table("Caller", "Callee", "Operation", "Transport", "Immediate answer", "Kind");
    for (SyncCall c : t.synchronous()) {
      table.row(
          c.caller(),
          c.callee(),
          c.operation(),
          Text.spell(c.transport()),
          c.immediate() ? "yes" : "no",
          c.sideEffect()
              ? "side effect" + c.replacedBy().map(r -> ", to become " + r).orElse("")
              : "query");
    }
    table.end();
  }

  private static void failureHandling(Topology t, Doc d) {
    d.h2("Failure handling");
    d.p(
        "Failures are classified once: deserialization, contract-version, validation"
            + " and business failures are poison and dead-lettered at once; transient and unknown"
            + " failures are retried within the consumer's budget first.");
    List<String> items = new ArrayList<>();
    for (ConsumerSpec c : t.consumers()) {
      items.add(
          "**"
              + c.name()
              + "** ("
              + c.service()
              + ", group "
              + c.group()
              + "): retry "
              + Describe.retry(c.retry())
              + "; poison handling "
              + Text.spell(c.poison())
              + "; dead letters "
              + Describe.dlq(t, c)
              + "; idempotency "
              + Describe.idempotency(c.idempotency())
              + ".");
    }
    d.bullets(items);
  }
}
