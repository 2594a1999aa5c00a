package dev.keel.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The variants of rules that the broken topology does not show, and order independence. */
class RuleVariantsTest {
  private static final String BASE =
      """
      system: s
      services: [{name: a, owner: team-a}, {name: b, owner: team-b}, {name: c, owner: team-c}]
      topics:
        - {name: events, partitions: 3, retention: forever, dlq: events.dlq}
        - {name: events.dlq, partitions: 3}
        - {name: commands, partitions: 3, dlq: commands.dlq}
        - {name: commands.dlq, partitions: 3}
      events:
        - name: thing.happened
          producer: a
          topic: events
          version: 1
          fields: [{name: id, type: uuid, role: identifier}]
      """;

  private static List<Finding> findings(String yaml) {
    return Fixtures.advisor().findings(TopologyYaml.parse("t.yaml", yaml));
  }

  private static List<Rule> rules(String yaml) {
    return findings(yaml).stream().map(Finding::rule).toList();
  }

  @Test
  void base_is_clean() {
    assertThat(findings(BASE)).isEmpty();
  }

  @Test
  void ordering_key_without_partition_key() {
    String yaml = BASE.replace("    version: 1\n", "    version: 1\n    orderingKey: id\n");
    assertThat(findings(yaml))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo(Rule.PARTITION_KEY_MISMATCH);
              assertThat(f.why()).contains("declares no partition key");
            });
  }

  @Test
  void command_handled_by_several_services() {
    String yaml =
        BASE
            + """
            commands: [{name: thing.do, sender: a, handler: b, topic: commands, version: 1}]
            consumers:
              - {name: b-commands, service: b, group: b, consumes: thing.do, idempotency: dedupe-table}
              - {name: c-commands, service: c, group: c, consumes: thing.do, idempotency: dedupe-table}
            """;
    assertThat(findings(yaml))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo(Rule.COMMAND_AS_EVENT);
              assertThat(f.why()).contains("handled by 2 services (b, c)");
            });
  }

  @Test
  void saga_command_sent_directly_and_command_without_version() {
    String yaml =
        BASE
            + """
            commands: [{name: thing.do, sender: a, handler: b, topic: commands, publishedVia: direct}]
            consumers:
              - {name: b-commands, service: b, group: b, consumes: thing.do, idempotency: dedupe-table}
            sagas:
              - name: flow
                orchestrator: a
                steps:
                  - {name: do, command: thing.do, onSuccess: thing.happened, compensation: thing.do, timeout: 5s}
            """;
    assertThat(rules(yaml))
        .containsExactly(Rule.DB_CHANGE_WITHOUT_OUTBOX, Rule.CONTRACT_INCOMPLETE);
    assertThat(findings(yaml).get(0).element()).isEqualTo("command 'thing.do'");
  }

  @Test
  void saga_step_without_both_names_both() {
    String yaml =
        BASE
            + """
            commands: [{name: thing.do, sender: a, handler: b, topic: commands, version: 1}]
            consumers:
              - {name: b-commands, service: b, group: b, consumes: thing.do, idempotency: dedupe-table}
            sagas:
              - {name: flow, orchestrator: a, steps: [{name: do, command: thing.do, onSuccess: thing.happened}]}
            """;
    assertThat(findings(yaml))
        .singleElement()
        .satisfies(f -> assertThat(f.why()).contains("no compensation and no timeout"));
  }

  @Test
  void consumer_that_stops_without_retry_or_replay_needs_no_idempotency() {
    String consumer =
        "consumers: [{name: b-events, service: b, group: b, consumes: thing.happened,"
            + " idempotency: none, poison: stop}]\n";
    assertThat(findings(BASE + consumer)).isEmpty();
    assertThat(rules(BASE + consumer.replace("poison: stop", "poison: stop, replayWindow: 1d")))
        .containsExactly(Rule.CONSUMER_NOT_IDEMPOTENT);
  }

  @Test
  void owner_missing_everywhere() {
    String yaml = BASE.replace("{name: a, owner: team-a}", "{name: a}");
    assertThat(findings(yaml))
        .singleElement()
        .satisfies(f -> assertThat(f.why()).isEqualTo("event 'thing.happened' declares no owner."));
  }

  @Test
  void plans_do_not_depend_on_the_order_elements_are_added() {
    Topology yaml = Fixtures.classpath(Fixtures.EXAMPLE);
    List<Runnable> adds = new ArrayList<>();
    Topology.Builder b = Topology.builder().system(yaml.system());
    yaml.services().forEach(x -> adds.add(() -> b.service(x)));
    yaml.topics().forEach(x -> adds.add(() -> b.topic(x)));
    yaml.events().forEach(x -> adds.add(() -> b.event(x)));
    yaml.commands().forEach(x -> adds.add(() -> b.command(x)));
    yaml.consumers().forEach(x -> adds.add(() -> b.consumer(x)));
    yaml.sagas().forEach(x -> adds.add(() -> b.saga(x)));
    yaml.synchronous().forEach(x -> adds.add(() -> b.synchronous(x)));
    Collections.shuffle(adds, new Random(42));
    adds.forEach(Runnable::run);
    Topology shuffled = b.build();
    for (Mode mode : Mode.values()) {
      assertThat(Fixtures.advisor().run(mode, shuffled, "order.placed").markdown())
          .isEqualTo(Fixtures.advisor().run(mode, yaml, "order.placed").markdown());
    }
  }
}
