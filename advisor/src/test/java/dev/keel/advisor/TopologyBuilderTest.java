package dev.keel.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Java builder (and the TopologySource SPI) gives the same topology and plans as YAML. */
class TopologyBuilderTest {
  private final Topology yaml = Fixtures.classpath(Fixtures.EXAMPLE);
  private final Topology built = OrderFulfillmentInJava.topology();

  @Test
  void same_elements_as_the_yaml_example() {
    assertThat(built.system()).isEqualTo(yaml.system());
    assertThat(built.services()).isEqualTo(yaml.services());
    assertThat(built.topics()).isEqualTo(yaml.topics());
    assertThat(built.commands()).isEqualTo(yaml.commands());
    assertThat(built.consumers()).isEqualTo(yaml.consumers());
    assertThat(built.sagas()).isEqualTo(yaml.sagas());
    assertThat(built.synchronous()).isEqualTo(yaml.synchronous());
    assertThat(built.events())
        .extracting(EventSpec::name)
        .isEqualTo(yaml.events().stream().map(EventSpec::name).toList());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void same_plan_as_the_yaml_example(Mode mode) {
    Report fromJava = Fixtures.advisor().run(mode, built, "order.placed");
    Report fromYaml = Fixtures.advisor().run(mode, yaml, "order.placed");
    assertThat(fromJava.markdown()).isEqualTo(fromYaml.markdown());
    assertThat(fromJava.json()).isEqualTo(fromYaml.json());
  }

  @Test
  void identical_elements_from_two_sources_are_kept_once() {
    Topology t =
        Topology.builder()
            .system("s")
            .from(b -> b.service(ServiceSpec.of("a", "team")))
            .from(b -> b.service(ServiceSpec.of("a", "team")))
            .build();
    assertThat(t.services()).hasSize(1);
  }

  @Test
  void build_reports_every_dangling_reference() {
    Topology.Builder b =
        Topology.builder()
            .system("s")
            .service(ServiceSpec.of("a", "team"))
            .service(ServiceSpec.of("a", "other-team"))
            .topic(TopicSpec.of("t", 1, Duration.ofDays(1), "t.dlq"))
            .event(EventSpec.builder("thing.happened").producer("b").topic("t").build())
            .consumer(
                ConsumerSpec.builder("c")
                    .service("a")
                    .group("g")
                    .consumes("thing.hapened")
                    .build());
    assertThatThrownBy(b::build)
        .isInstanceOf(TopologyException.class)
        .hasMessage(
            String.join(
                "\n",
                "Topology 's': service 'a' is declared twice",
                "Topology 's': topic 't': dlq 't.dlq' is not a declared dead-letter topic",
                "Topology 's': event 'thing.happened': producer 'b' is not a declared service",
                "Topology 's': consumer 'c' consumes unknown event or command 'thing.hapened'"));
  }

  @Test
  void model_rejects_invalid_values_with_the_property_name() {
    assertThatThrownBy(() -> TopicSpec.of("t", 0, null, null))
        .hasMessage("topic 't': partitions must be at least 1, was 0");
    assertThatThrownBy(() -> RetrySpec.nonBlocking(java.util.List.of()))
        .hasMessage("retry.tiers must not be empty in non-blocking mode");
    assertThatThrownBy(() -> ConsumerSpec.builder("c").service("a").build())
        .hasMessage("consumer 'c': group must not be blank, was null");
  }
}
