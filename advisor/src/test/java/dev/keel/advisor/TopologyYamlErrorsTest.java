package dev.keel.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Bad input names the file and the line of the offending node. */
class TopologyYamlErrorsTest {
  private static final String HEAD =
      """
      system: shop
      services:
        - {name: shop, owner: shop-team}
        - {name: billing, owner: billing-team}
      topics:
        - {name: orders, partitions: 3, dlq: orders.dlq}
        - {name: orders.dlq, partitions: 3}
      events:
        - name: order.placed
          producer: shop
          topic: orders
          version: 1
          fields: [{name: orderId, type: uuid, role: identifier}]
      """;

  private static String problem(String yaml) {
    try {
      TopologyYaml.parse("topology.yaml", yaml);
    } catch (TopologyException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a TopologyException for:\n" + yaml);
  }

  @Test
  void head_alone_is_valid() {
    assertThat(TopologyYaml.problems("topology.yaml", HEAD)).isEmpty();
  }

  @Test
  void missing_required_field_points_at_the_element() {
    String yaml =
        HEAD
            + """
        consumers:
          - name: billing
            service: billing
            consumes: [order.placed]
            idempotency: none
        """;
    assertThat(problem(yaml)).isEqualTo("topology.yaml:15: consumer 'billing' has no group");
  }

  @Test
  void unknown_key_points_at_the_key() {
    String yaml =
        HEAD
            + """
        consumers:
          - name: billing
            service: billing
            grup: billing
        """;
    assertThat(problem(yaml))
        .startsWith("topology.yaml:17: unknown key 'grup' in consumer 'billing'; expected one of")
        .contains("group");
  }

  @Test
  void wrong_type_points_at_the_value() {
    String yaml = HEAD.replace("partitions: 3, dlq", "partitions: three, dlq");
    assertThat(problem(yaml))
        .isEqualTo("topology.yaml:6: topic 'orders': partitions must be an integer, was 'three'");
  }

  @Test
  void list_where_a_value_is_expected() {
    String yaml = HEAD.replace("producer: shop", "producer: [shop]");
    assertThat(problem(yaml))
        .isEqualTo(
            "topology.yaml:10: event 'order.placed': producer must be a single value, not a list"
                + " or map");
  }

  @Test
  void invalid_enum_value_lists_the_choices() {
    String yaml =
        HEAD
            + """
        consumers:
          - name: billing
            service: billing
            group: billing
            consumes: [order.placed]
            idempotency: dedupe-table
            retry: {mode: exponential}
        """;
    assertThat(problem(yaml))
        .isEqualTo(
            "topology.yaml:20: retry of consumer 'billing': mode must be one of none, in-place,"
                + " non-blocking, was 'exponential'");
  }

  @Test
  void invalid_duration() {
    String yaml = HEAD.replace("partitions: 3, dlq", "partitions: 3, retention: 7 days, dlq");
    assertThat(problem(yaml))
        .isEqualTo(
            "topology.yaml:6: topic 'orders': retention must be a duration such as 30s, 5m, 7d or"
                + " PT5M, was '7 days'");
  }

  @Test
  void dangling_references_are_all_reported_in_line_order() {
    String yaml =
        HEAD
            + """
        consumers:
          - name: billing
            service: billing
            group: billing
            consumes: [order.payed]
            idempotency: none
            calls: [ledger]
        sagas:
          - name: checkout
            orchestrator: shop
            steps:
              - {name: pay, command: payment.authorize, onSuccess: order.placed, timeout: 1m}
        """;
    assertThat(problem(yaml))
        .isEqualTo(
            String.join(
                "\n",
                "topology.yaml:18: consumer 'billing' consumes unknown event or command"
                    + " 'order.payed'",
                "topology.yaml:20: consumer 'billing': calls 'ledger' is not a declared service",
                "topology.yaml:25: step 'checkout/pay': command 'payment.authorize' is not a"
                    + " declared command"));
  }

  @Test
  void unknown_topic_and_key_field() {
    String yaml =
        HEAD.replace("topic: orders\n", "topic: order\n")
            .replace("version: 1\n", "version: 1\n    partitionKey: id\n");
    assertThat(problem(yaml))
        .isEqualTo(
            "topology.yaml:11: event 'order.placed': topic 'order' is not a declared topic\n"
                + "topology.yaml:13: event 'order.placed': partitionKey 'id' is not a field");
  }

  @Test
  void repeated_name() {
    String yaml =
        HEAD.replace(
            "  - {name: billing, owner: billing-team}", "  - {name: shop, owner: billing-team}");
    assertThat(problem(yaml)).isEqualTo("topology.yaml:4: service 'shop' is declared twice");
  }

  @Test
  void model_validation_is_reported_at_the_element() {
    String yaml = HEAD.replace("partitions: 3, dlq", "partitions: 0, dlq");
    assertThat(problem(yaml))
        .isEqualTo("topology.yaml:6: topic 'orders': partitions must be at least 1, was 0");
  }

  @Test
  void yaml_syntax_error_has_a_line() {
    String yaml = HEAD + "consumers:\n  - name: [unclosed\n";
    assertThat(problem(yaml)).startsWith("topology.yaml:").contains("invalid YAML");
    assertThat(problem("system: a\n  bad indent: here\n"))
        .startsWith("topology.yaml:2: invalid YAML");
  }

  @Test
  void empty_and_non_mapping_documents() {
    assertThat(problem(""))
        .isEqualTo("topology.yaml:1: the document is empty; expected a mapping with 'system'");
    assertThat(problem("- a\n- b\n"))
        .isEqualTo("topology.yaml:1: the topology must be a mapping (key: value lines)");
    assertThat(problem("services: []\n")).isEqualTo("topology.yaml:1: the topology has no system");
  }

  @Test
  void yaml_tags_construct_nothing() {
    String yaml = "system: !!javax.script.ScriptEngineManager [x]\n";
    assertThatThrownBy(() -> TopologyYaml.parse("topology.yaml", yaml))
        .isInstanceOf(TopologyException.class)
        .hasMessageStartingWith("topology.yaml:1: invalid YAML: Global tag is not allowed");
  }
}
