package dev.keel.advisor.spi;

import dev.keel.advisor.Topology;

/**
 * A running Keel component that can describe its part of the topology: an outbox relay its events
 * and topics, a consumer runtime its consumers, a saga definition its steps. A service collects the
 * sources it runs and prints its own plan at startup or from a test:
 *
 * <pre>{@code
 * Topology topology = Topology.builder()
 *     .system("orders")
 *     .from(relay)              // a TopologySource
 *     .from(consumerRuntime)    // a TopologySource
 *     .build();
 * log.info(Advisor.create().review(topology).markdown());
 * }</pre>
 *
 * <p>Implementations add elements to the builder and nothing else; they must not block or do I/O.
 * Two sources may describe the same service: the builder keeps one service per name.
 */
@FunctionalInterface
public interface TopologySource {
  /**
   * Adds this component's services, topics, events, commands, consumers or sagas.
   *
   * @param builder the topology being assembled; called once per build, on the caller's thread
   */
  void describe(Topology.Builder builder);
}
