package dev.keel.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReviewRulesTest {

  @Test
  void shipped_example_reviews_clean() {
    Report review = Fixtures.advisor().review(Fixtures.classpath(Fixtures.EXAMPLE));
    assertThat(review.findings()).isEmpty();
    assertThat(review.hasFindingsAtLeast(Severity.INFO)).isFalse();
    assertThat(review.markdown()).contains("No findings");
  }

  @Test
  void every_rule_fires_exactly_once_on_the_broken_topology() {
    List<Finding> findings = Fixtures.advisor().findings(Fixtures.classpath(Fixtures.BROKEN));
    Map<Rule, Long> perRule =
        findings.stream().collect(Collectors.groupingBy(Finding::rule, Collectors.counting()));
    assertThat(perRule.keySet()).containsExactlyInAnyOrder(Rule.values());
    assertThat(perRule.values()).allMatch(n -> n == 1L);
    Set<String> ids = findings.stream().map(f -> f.rule().id()).collect(Collectors.toSet());
    assertThat(ids)
        .isEqualTo(Arrays.stream(Rule.values()).map(Rule::id).collect(Collectors.toSet()));
  }

  @Test
  void findings_name_the_element_why_and_fix() {
    List<Finding> findings = Fixtures.advisor().findings(Fixtures.classpath(Fixtures.BROKEN));
    Map<Rule, Finding> byRule =
        findings.stream().collect(Collectors.toMap(Finding::rule, Function.identity()));
    assertThat(byRule.get(Rule.EVENT_NOT_PAST_TENSE).element()).isEqualTo("event 'invoice.send'");
    assertThat(byRule.get(Rule.EVENT_NOT_PAST_TENSE).why()).contains("reads as a command");
    assertThat(byRule.get(Rule.COMMAND_AS_EVENT).element()).isEqualTo("command 'order.ship'");
    assertThat(byRule.get(Rule.CONSUMER_NOT_IDEMPOTENT).element())
        .isEqualTo("consumer 'billing-orders'");
    assertThat(byRule.get(Rule.TOPIC_WITHOUT_DLQ).element()).isEqualTo("topic 'billing'");
    assertThat(byRule.get(Rule.DLQ_FEWER_PARTITIONS).why()).contains("3 partitions", "6 of orders");
    assertThat(byRule.get(Rule.NON_BLOCKING_RETRY_ORDERED).element())
        .isEqualTo("consumer 'warehouse-orders'");
    assertThat(byRule.get(Rule.PARTITION_KEY_MISMATCH).why()).contains("invoiceId", "orderId");
    assertThat(byRule.get(Rule.DB_CHANGE_WITHOUT_OUTBOX).element())
        .isEqualTo("event 'order.shipped'");
    assertThat(byRule.get(Rule.REQUEST_RESPONSE_OVER_BUS).element())
        .isEqualTo("synchronous 'shop -> billing.charge-card'");
    assertThat(byRule.get(Rule.CONTRACT_INCOMPLETE).why()).contains("no version");
    assertThat(byRule.get(Rule.BREAKING_CONTRACT_CHANGE).why()).contains("couponCode");
    assertThat(byRule.get(Rule.RETENTION_TOO_SHORT).fix()).contains("at least 9d");
    assertThat(byRule.get(Rule.SAGA_STEP_INCOMPLETE).element())
        .isEqualTo("saga 'checkout' step 'ship'");
    assertThat(byRule.get(Rule.HIDDEN_SYNC_COUPLING).why()).contains("calls billing");
    assertThat(findings).allSatisfy(f -> assertThat(f.fix()).isNotBlank());
  }

  @Test
  void findings_are_sorted_most_severe_first() {
    List<Finding> findings = Fixtures.advisor().findings(Fixtures.classpath(Fixtures.BROKEN));
    assertThat(findings).isSortedAccordingTo(Finding.ORDER);
    assertThat(findings.get(0).severity()).isEqualTo(Severity.CRITICAL);
    assertThat(findings.get(findings.size() - 1).severity()).isEqualTo(Severity.WARNING);
  }

  @Test
  void rule_ids_are_unique_and_every_rule_has_a_rationale() {
    assertThat(Arrays.stream(Rule.values()).map(Rule::id).distinct()).hasSize(Rule.values().length);
    assertThat(Rule.values())
        .allSatisfy(
            r -> {
              assertThat(r.id()).matches("KEEL-R\\d{3}");
              assertThat(r.title()).isNotBlank();
              assertThat(r.rationale()).isNotBlank();
            });
  }

  @Test
  void contract_report_carries_only_the_events_findings() {
    Report contract =
        Fixtures.advisor().contract(Fixtures.classpath(Fixtures.BROKEN), "order.placed");
    assertThat(contract.findings())
        .extracting(Finding::rule)
        .containsExactly(Rule.BREAKING_CONTRACT_CHANGE);
    assertThat(contract.markdown()).contains("NOT compatible", "field-removed");
  }

  @Test
  void removal_of_a_deprecated_field_is_breaking_only_inside_its_window() {
    String yaml =
        """
        system: s
        services: [{name: a, owner: team-a}]
        topics: [{name: t, partitions: 1}]
        events:
          - name: thing.happened
            producer: a
            topic: t
            version: 2
            fields: [{name: id, type: uuid, role: identifier}]
            previous:
              version: 1
              fields:
                - {name: id, type: uuid, role: identifier}
                - {name: old, type: string, role: metadata}
              deprecations: [{field: old, since: 2026-01-01, window: 30d}]
        """;
    Topology t = TopologyYaml.parse("t.yaml", yaml);
    Advisor inside =
        Advisor.builder()
            .clock(
                java.time.Clock.fixed(
                    java.time.Instant.parse("2026-01-15T00:00:00Z"), java.time.ZoneOffset.UTC))
            .build();
    assertThat(inside.findings(t))
        .extracting(Finding::rule)
        .containsExactly(Rule.BREAKING_CONTRACT_CHANGE);
    assertThat(Fixtures.advisor().findings(t)).isEmpty();
    assertThat(Fixtures.advisor().contract(t, "thing.happened").markdown())
        .contains("is compatible with", "removed after its deprecation window ended");
  }
}
