package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The checker finds each kind of violation in hand-made inputs, and nothing in a clean run. */
class DeliveryCheckerTest {
  private final Observation a1 = obs("a");
  private final Observation a2 = obs("a");
  private final Observation a3 = obs("a");
  private final Observation b1 = obs("b");
  private final Observation b2 = obs("b");
  private final Observation rolledBack = obs("a");
  private final List<Observation> committed = List.of(a1, b1, a2, b2, a3);

  private static Observation obs(String key) {
    return new Observation(UUID.randomUUID(), key);
  }

  private DeliveryChecker checker() {
    return DeliveryChecker.create().committed(committed).rolledBack(Set.of(rolledBack.id()));
  }

  @Test
  void cleanRunWithRawDuplicatesIsOk() {
    // a relay takeover re-sends a1 and a2 after a3: raw duplicates, first occurrences in order
    List<Observation> log = List.of(a1, b1, a2, a3, a1, a2, b2);
    DeliveryReport r = checker().log(log).effects(List.of(a1, b1, b2, a2, a3)).check();
    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.rawDuplicates()).isEqualTo(2);
    assertThat(r.effectiveDuplicates()).isZero();
    assertThat(r.logRecords()).isEqualTo(7);
    assertThat(r.effectRows()).isEqualTo(5);
    assertThat(r.committed()).isEqualTo(5);
    assertThat(r.rolledBack()).isEqualTo(1);
  }

  @Test
  void detectsAnEventLostBeforeKafka() {
    DeliveryReport r = checker().log(List.of(a1, b1, a3, b2)).check();
    assertThat(r.ok()).isFalse();
    assertThat(r.lost()).containsExactly(a2.id());
    assertThat(r.examples()).anyMatch(e -> e.contains("never reached the log"));
  }

  @Test
  void detectsAnEventInKafkaWithoutAnEffect() {
    DeliveryReport r = checker().log(committed).effects(List.of(a1, b1, a2, a3)).check();
    assertThat(r.lost()).containsExactly(b2.id());
    assertThat(r.ok()).isFalse();
  }

  @Test
  void detectsAnAbortedRead() {
    List<Observation> log = new ArrayList<>(committed);
    log.add(rolledBack);
    DeliveryReport r = checker().log(log).effects(List.of(a1, b1, a2, b2, a3, rolledBack)).check();
    assertThat(r.abortedReads()).containsExactly(rolledBack.id());
    assertThat(r.ok()).isFalse();
  }

  @Test
  void detectsAnEventThatWasNeverCommitted() {
    Observation phantom = obs("c");
    List<Observation> log = new ArrayList<>(committed);
    log.add(phantom);
    DeliveryReport r = checker().log(log).check();
    assertThat(r.unexpected()).containsExactly(phantom.id());
    assertThat(r.ok()).isFalse();
  }

  @Test
  void countsRawDuplicatesWithoutFailing() {
    List<Observation> log = new ArrayList<>(committed);
    log.addAll(committed);
    log.add(a1);
    DeliveryReport r = checker().log(log).check();
    assertThat(r.rawDuplicates()).isEqualTo(6);
    assertThat(r.ok()).isTrue();
    assertThat(r.effectsChecked()).isFalse();
  }

  @Test
  void detectsAnEffectAppliedTwice() {
    DeliveryReport r = checker().log(committed).effects(List.of(a1, b1, a2, b2, a3, b1)).check();
    assertThat(r.effectiveDuplicates()).isEqualTo(1);
    assertThat(r.ok()).isFalse();
  }

  @Test
  void detectsOutOfOrderFirstOccurrencesInTheLog() {
    DeliveryReport r = checker().log(List.of(a2, a1, b1, b2, a3)).check();
    assertThat(r.logOrderViolations()).isEqualTo(1);
    assertThat(r.ok()).isFalse();
    assertThat(r.examples()).anyMatch(e -> e.contains("log order: key a"));
  }

  @Test
  void aDuplicateAfterLaterEventsIsNotAnOrderViolation() {
    DeliveryReport r = checker().log(List.of(a1, a2, a1, a3, b1, b2)).check();
    assertThat(r.logOrderViolations()).isZero();
  }

  @Test
  void detectsEffectsAppliedOutOfOrder() {
    DeliveryReport r = checker().log(committed).effects(List.of(a1, b2, b1, a2, a3)).check();
    assertThat(r.effectOrderViolations()).isEqualTo(1);
    assertThat(r.logOrderViolations()).isZero();
    assertThat(r.ok()).isFalse();
  }

  @Test
  void eachKeyCountsOnceAndGapsAreNotOrderViolations() {
    // a2 lost: a1 then a3 is a gap, not a reordering; b out of order twice counts once
    Observation b3 = obs("b");
    DeliveryReport r =
        DeliveryChecker.create()
            .committed(List.of(a1, a2, a3, b1, b2, b3))
            .log(List.of(a1, a3, b3, b2, b1))
            .check();
    assertThat(r.lost()).containsExactly(a2.id());
    assertThat(r.logOrderViolations()).isEqualTo(1);
  }

  @Test
  void refusesInconsistentInputs() {
    assertThatThrownBy(
            () ->
                DeliveryChecker.create().committed(List.of(a1)).rolledBack(Set.of(a1.id())).check())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("committed and rolled back");
    assertThatThrownBy(() -> DeliveryChecker.create().committed(List.of(a1, a1)).check())
        .hasMessageContaining("committed twice");
  }

  @Test
  void reportPrintsItsFigures() {
    DeliveryReport r = checker().log(List.of(a1, b1)).check();
    assertThat(r.toString()).contains("lost 3").contains("effect rows n/a").contains("lost: ");
  }
}
