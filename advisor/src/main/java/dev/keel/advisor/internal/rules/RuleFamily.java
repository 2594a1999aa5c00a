package dev.keel.advisor.internal.rules;

import dev.keel.advisor.Finding;
import dev.keel.advisor.Topology;
import java.time.Instant;
import java.util.List;

/** A group of related review rules. Implementations are stateless. */
interface RuleFamily {
  /**
   * Checks the topology.
   *
   * @param topology a validated topology
   * @param now the instant that decides whether deprecation windows have passed
   */
  List<Finding> check(Topology topology, Instant now);
}
