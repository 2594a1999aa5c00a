package dev.keel.advisor.internal.rules;

import static dev.keel.advisor.internal.Checks.q;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Finding;
import dev.keel.advisor.Rule;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.ContractSupport;
import dev.keel.event.contract.BreakingChange;
import dev.keel.event.contract.CompatibilityReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** KEEL-R007 (partition key), KEEL-R010 (owner, version), KEEL-R011 (breaking change). */
final class ContractRules implements RuleFamily {

  @Override
  public List<Finding> check(Topology t, Instant now) {
    List<Finding> out = new ArrayList<>();
    for (EventSpec e : t.events()) {
      keys(e, out);
      List<String> missing = new ArrayList<>();
      if (t.ownerOf(e).isEmpty()) {
        missing.add("owner");
      }
      if (e.version().isEmpty()) {
        missing.add("version");
      }
      incomplete("event " + q(e.name()), missing, out);
      Optional<CompatibilityReport> report = ContractSupport.compatibility(t, e, now);
      if (report.isPresent() && !report.get().compatible()) {
        List<String> changes =
            report.get().breakingChanges().stream().map(BreakingChange::message).toList();
        out.add(
            new Finding(
                Rule.BREAKING_CONTRACT_CHANGE,
                "event " + q(e.name()),
                report.get().to()
                    + " is not compatible with "
                    + report.get().from()
                    + ": "
                    + String.join("; ", changes)
                    + ".",
                "Evolve additively: add optional fields, deprecate before removing (with a"
                    + " window), raise the version; for a different shape or key publish a new"
                    + " event type alongside the old one."));
      }
    }
    for (CommandSpec c : t.commands()) {
      incomplete(
          "command " + q(c.name()), c.version().isEmpty() ? List.of("version") : List.of(), out);
    }
    return out;
  }

  private static void keys(EventSpec e, List<Finding> out) {
    if (e.orderingKey().isEmpty()) {
      return;
    }
    String ordering = e.orderingKey().get();
    if (e.partitionKey().filter(ordering::equals).isPresent()) {
      return;
    }
    String why =
        e.partitionKey().isPresent()
            ? e.name()
                + " is keyed by "
                + e.partitionKey().get()
                + " but promises order by "
                + ordering
                + ": events of one "
                + ordering
                + " spread over partitions and arrive out of order."
            : e.name()
                + " promises order by "
                + ordering
                + " but declares no partition key: records spread over partitions without regard"
                + " to it.";
    out.add(
        new Finding(
            Rule.PARTITION_KEY_MISMATCH,
            "event " + q(e.name()),
            why,
            "Use "
                + ordering
                + " as the partition key (the Kafka record key), or change the"
                + " contract's ordering key in a new version."));
  }

  private static void incomplete(String element, List<String> missing, List<Finding> out) {
    if (missing.isEmpty()) {
      return;
    }
    out.add(
        new Finding(
            Rule.CONTRACT_INCOMPLETE,
            element,
            element + " declares no " + String.join(" and no ", missing) + ".",
            "Declare "
                + String.join(" and ", missing)
                + " (owner on the event or its producing service; version starting at 1)."));
  }
}
