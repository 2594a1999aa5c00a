/**
 * Keel advisor: reads the configured topology (services, topics, events, commands, consumers,
 * sagas, synchronous dependencies) and prints design, review, contract, reliability and migration
 * plans in Markdown (with Mermaid diagrams) or JSON.
 *
 * <pre>{@code
 * Topology topology = TopologyYaml.read(Path.of("topology.yaml"));   // or Topology.builder()
 * Advisor advisor = Advisor.create();
 * Report review = advisor.review(topology);
 * if (review.hasFindingsAtLeast(Severity.ERROR)) {
 *   throw new IllegalStateException(review.markdown());
 * }
 * }</pre>
 *
 * <p>The YAML schema is documented in the module's README; {@code examples/order-fulfillment.yaml}
 * on the classpath is a complete, clean example. Review rules are listed in {@link
 * dev.keel.advisor.Rule}. Running components describe themselves through {@link
 * dev.keel.advisor.spi.TopologySource}. The command line is {@code keel advisor}, in the keel-cli
 * module.
 */
package dev.keel.advisor;
