package dev.keel.advisor.internal.rules;

import dev.keel.advisor.Finding;
import dev.keel.advisor.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Runs every rule family and sorts the findings (most severe first, then rule id, element). */
public final class Reviewer {
  private static final List<RuleFamily> FAMILIES =
      List.of(
          new MessageRules(),
          new ConsumerRules(),
          new TopicRules(),
          new ContractRules(),
          new CouplingRules(),
          new SagaRules());

  private Reviewer() {}

  /** Every finding on the topology, in a stable order. */
  public static List<Finding> review(Topology topology, Instant now) {
    List<Finding> out = new ArrayList<>();
    FAMILIES.forEach(f -> out.addAll(f.check(topology, now)));
    out.sort(Finding.ORDER);
    return List.copyOf(out);
  }
}
