package dev.keel.advisor.internal.modes;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Finding;
import dev.keel.advisor.Topology;
import dev.keel.advisor.TopologyException;
import dev.keel.advisor.internal.ContractSupport;
import dev.keel.advisor.internal.Text;
import dev.keel.advisor.internal.doc.Doc;
import dev.keel.event.contract.BreakingChange;
import dev.keel.event.contract.CompatibilityReport;
import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.Deprecation;
import dev.keel.event.contract.FieldRole;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code contract} mode for one event (or command). */
public final class ContractMode {
  private ContractMode() {}

  /** The findings whose element is this event or command. */
  public static List<Finding> findingsOf(Topology t, String name, List<Finding> all) {
    return all.stream()
        .filter(
            f ->
                f.element().equals("event '" + name + "'")
                    || f.element().equals("command '" + name + "'"))
        .toList();
  }

  /** Builds the contract document. */
  public static Doc build(Topology t, String name, Instant now, List<Finding> findings) {
    Optional<EventSpec> event = t.event(name);
    Optional<CommandSpec> command = t.command(name);
    if (event.isEmpty() && command.isEmpty()) {
      List<String> known = new ArrayList<>();
      t.events().forEach(e -> known.add(e.name()));
      t.commands().forEach(c -> known.add(c.name()));
      throw new TopologyException(
          List.of(
              "topology '"
                  + t.system()
                  + "' has no event or command '"
                  + name
                  + "'; known: "
                  + String.join(", ", known)));
    }
    Doc d = new Doc("Contract: " + name);
    if (event.isPresent()) {
      eventContract(t, event.get(), now, d);
    } else {
      commandContract(t, command.get(), d);
    }
    d.h2("Findings");
    if (findings.isEmpty()) {
      d.p("No findings on this contract.");
    } else {
      findings.forEach(
          f ->
              d.bullets(
                  List.of(
                      f.severity().name()
                          + " "
                          + f.rule().id()
                          + " "
                          + f.rule().title()
                          + ": "
                          + f.why()
                          + " Fix: "
                          + f.fix())));
    }
    return d;
  }

  private static void eventContract(Topology t, EventSpec e, Instant now, Doc d) {
    d.p(("A fact published by " + e.producer() + ". " + e.description()).trim());
    d.table("Property", "Value")
        .row("Kind", "event (fact)")
        .row("Producer", e.producer())
        .row("Owner", t.ownerOf(e).orElse("none (KEEL-R010)"))
        .row("Version", e.version().map(String::valueOf).orElse("none (KEEL-R010)"))
        .row("Topic", e.topic())
        .row("Partition key", e.partitionKey().orElse("none"))
        .row("Ordering key", e.orderingKey().orElse("none"))
        .row("Published via", Text.spell(e.publishedVia()))
        .end();
    fields(e.fields(), d);
    d.h2("Ordering expectations");
    List<ConsumerSpec> consumers = t.consumersOf(e.name());
    d.p(
        e.orderingKey()
            .map(
                k ->
                    "Events with the same "
                        + k
                        + " keep their publication order within one"
                        + " partition"
                        + (e.partitionKey().filter(k::equals).isPresent()
                            ? " (the partition key is " + k + ")."
                            : ", but the partition key differs (KEEL-R007)."))
            .orElse("The contract promises no order."));
    if (consumers.isEmpty()) {
      d.p("No consumer reads it yet.");
    }
    Doc.TableBuilder table = d.table("Consumer", "Service", "Group", "Needs", "Idempotency");
    consumers.forEach(
        c ->
            table.row(
                c.name(),
                c.service(),
                c.group(),
                Text.spell(c.ordering()),
                Text.spell(c.idempotency().strategy())));
    table.end();
    versioning(e.version().orElse(0), "event", d);
    d.h2("Deprecation window");
    if (e.deprecations().isEmpty()) {
      d.p(
          "No field is deprecated. A field is removed only after a deprecation whose window has"
              + " ended.");
    } else {
      Doc.TableBuilder dep = d.table("Field", "Deprecated at", "Window", "Removable at", "Note");
      for (Deprecation x : e.deprecations()) {
        dep.row(
            x.field(),
            x.deprecatedAt().toString(),
            Text.duration(x.window()),
            x.removableAt().toString(),
            x.note().isEmpty() ? "-" : x.note());
      }
      dep.end();
    }
    compatibility(t, e, now, d);
  }

  private static void fields(List<ContractField> fields, Doc d) {
    d.h2("Fields");
    if (fields.isEmpty()) {
      d.p("No fields are declared.");
      return;
    }
    Doc.TableBuilder table = d.table("Field", "Type", "Role", "Required");
    for (FieldRole role : FieldRole.values()) {
      fields.stream()
          .filter(f -> f.role() == role)
          .forEach(
              f ->
                  table.row(
                      f.name(),
                      Text.spell(f.type()),
                      Text.spell(f.role()),
                      f.required() ? "yes" : "no"));
    }
    table.end();
  }

  private static void versioning(int version, String kind, Doc d) {
    d.h2("Versioning rules");
    d.bullets(
        List.of(
            "The version travels in the `keel-contract-version` header; the current version is "
                + (version > 0 ? version : "undeclared")
                + ".",
            "Allowed in a new version: new optional fields, changed descriptions, removal of a field"
                + " whose deprecation window has ended.",
            "Breaking: removing or retyping a field, a new required field, making a field required"
                + " or optional, changing the ordering key, renaming the "
                + kind
                + ".",
            "A breaking change is a new "
                + kind
                + " type, published alongside the old one until every"
                + " consumer has moved."));
  }

  private static void compatibility(Topology t, EventSpec e, Instant now, Doc d) {
    d.h2("Compatibility");
    Optional<CompatibilityReport> r = ContractSupport.compatibility(t, e, now);
    if (r.isEmpty()) {
      d.p("No previous version is declared: nothing to compare.");
      return;
    }
    CompatibilityReport report = r.get();
    d.p(
        "**Verdict:** "
            + report.to()
            + " is "
            + (report.compatible() ? "compatible" : "NOT compatible")
            + " with "
            + report.from()
            + ".");
    Doc.TableBuilder table = d.table("Breaking change", "Field", "Detail");
    for (BreakingChange b : report.breakingChanges()) {
      table.row(Text.spell(b.kind()), b.field() == null ? "-" : b.field(), b.message());
    }
    table.end();
    d.bullets(report.notes());
  }

  private static void commandContract(Topology t, CommandSpec c, Doc d) {
    d.p(
        ("A command: " + c.sender() + " asks " + c.handler() + " to act. " + c.description())
            .trim());
    d.table("Property", "Value")
        .row("Kind", "command")
        .row("Sender", c.sender())
        .row("Handler (owner)", c.handler())
        .row("Version", c.version().map(String::valueOf).orElse("none (KEEL-R010)"))
        .row("Topic", c.topic())
        .row("Partition key", c.partitionKey().orElse("none"))
        .row("Published via", Text.spell(c.publishedVia()))
        .end();
    fields(c.fields(), d);
    versioning(c.version().orElse(0), "command", d);
  }
}
