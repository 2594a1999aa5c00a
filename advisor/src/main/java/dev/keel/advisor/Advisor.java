package dev.keel.advisor;

import dev.keel.advisor.internal.DefaultAdvisor;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Prints design and reliability plans for a {@link Topology}, and reviews it against Keel's rules
 * ({@link Rule}).
 *
 * <pre>{@code
 * Topology topology = TopologyYaml.read(Path.of("topology.yaml"));
 * Report review = Advisor.create().review(topology);
 * System.out.println(review.markdown());
 * if (review.hasFindingsAtLeast(Severity.ERROR)) { ... }
 * }</pre>
 *
 * The clock only decides whether contract deprecation windows have passed; reports carry no
 * timestamps. Immutable and thread-safe.
 */
public interface Advisor {

  /** An advisor on the UTC system clock. */
  static Advisor create() {
    return builder().build();
  }

  /** Starts an advisor. */
  static Builder builder() {
    return new Builder();
  }

  /** Every finding of every rule, most severe first, then by rule id and element. */
  List<Finding> findings(Topology topology);

  /** The {@code design} mode. */
  Report design(Topology topology);

  /** The {@code review} mode. */
  Report review(Topology topology);

  /**
   * The {@code contract} mode for one event (or command).
   *
   * @throws TopologyException when the topology has no such event or command
   */
  Report contract(Topology topology, String event);

  /** The {@code reliability} mode. */
  Report reliability(Topology topology);

  /** The {@code migration} mode. */
  Report migration(Topology topology);

  /**
   * Runs a mode by value.
   *
   * @param event the event for {@link Mode#CONTRACT}; ignored by other modes
   * @throws TopologyException when the contract mode is given no or an unknown event
   */
  default Report run(Mode mode, Topology topology, String event) {
    return switch (mode) {
      case DESIGN -> design(topology);
      case REVIEW -> review(topology);
      case CONTRACT -> {
        if (event == null) {
          throw new TopologyException(List.of("contract mode needs an event name"));
        }
        yield contract(topology, event);
      }
      case RELIABILITY -> reliability(topology);
      case MIGRATION -> migration(topology);
    };
  }

  /** Builds an {@link Advisor}. Not thread-safe. */
  final class Builder {
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The clock deciding whether deprecation windows have passed; default system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "Advisor.clock");
      return this;
    }

    /** Builds the advisor. */
    public Advisor build() {
      return new DefaultAdvisor(clock);
    }
  }
}
