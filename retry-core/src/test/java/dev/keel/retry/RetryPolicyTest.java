package dev.keel.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      RetryPolicy.builder()
          .maxAttempts(4)
          .initialDelay(Duration.ofMillis(100))
          .multiplier(2.0)
          .maxDelay(Duration.ofMillis(300))
          .jitter(0)
          .build();

  @Test
  void exponentialDelaysAreCapped() {
    assertThat(policy.decide(FailureClass.TRANSIENT, 1).delay()).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.decide(FailureClass.TRANSIENT, 2).delay()).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.decide(FailureClass.TRANSIENT, 3).delay()).isEqualTo(Duration.ofMillis(300));
    assertThat(policy.delay(50)).isEqualTo(Duration.ofMillis(300));
    assertThat(policy.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMillis(300));
    // the blocking budget an in-place retry can spend: 100 + 200 + 300
    assertThat(policy.maxTotalDelay(FailureClass.TRANSIENT)).isEqualTo(Duration.ofMillis(600));
    assertThat(policy.maxTotalDelay(FailureClass.VALIDATION)).isZero();
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheExhaustedAction() {
    assertThat(policy.decide(FailureClass.TRANSIENT, 3).retry()).isTrue();
    RetryDecision last = policy.decide(FailureClass.TRANSIENT, 4);
    assertThat(last.retry()).isFalse();
    assertThat(last.action()).isEqualTo(FailureAction.DEAD_LETTER);
    assertThat(last.delay()).isZero();
  }

  @Test
  void attemptCountsBeyondThePolicyNeverBuyMoreAttempts() {
    assertThat(policy.decide(FailureClass.TRANSIENT, Integer.MAX_VALUE).retry()).isFalse();
    assertThat(policy.decide(FailureClass.UNKNOWN, 1_000_000).retry()).isFalse();
    // below 1 counts as the first attempt, not as credit
    RetryDecision d = policy.decide(FailureClass.TRANSIENT, -5);
    assertThat(d.attempts()).isEqualTo(1);
    assertThat(d.delay()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void nonRetryClassesGiveUpAtOnceWithTheirDefaultAction() {
    for (FailureClass c : FailureClass.values()) {
      RetryDecision d = policy.decide(c, 1);
      assertThat(d.action())
          .as(c.name())
          .isEqualTo(
              c.defaultAction() == FailureAction.RETRY ? FailureAction.RETRY : c.defaultAction());
    }
    assertThat(policy.maxAttempts(FailureClass.DESERIALIZATION)).isEqualTo(1);
  }

  @Test
  void aFailFastClassCannotBeGivenAnotherAction() {
    long failFast =
        java.util.Arrays.stream(FailureClass.values())
            .filter(c -> c.defaultAction() == FailureAction.FAIL_FAST)
            .peek(
                c -> {
                  for (FailureAction other : FailureAction.values()) {
                    if (other == FailureAction.FAIL_FAST) {
                      continue;
                    }
                    assertThatThrownBy(() -> RetryPolicy.builder().action(c, other).build())
                        .as(c + " -> " + other)
                        .isInstanceOf(KeelConfigurationException.class)
                        .hasMessageContaining("RetryPolicy.action[" + c + "] must stay FAIL_FAST");
                  }
                  assertThat(policy.decide(c, 1).action()).isEqualTo(FailureAction.FAIL_FAST);
                  assertThat(policy.maxAttempts(c)).isEqualTo(1);
                })
            .count();
    assertThat(failFast).as("classes failing fast by default (FATAL)").isEqualTo(1);
  }

  @Test
  void perClassOverrides() {
    RetryPolicy p =
        RetryPolicy.builder()
            .maxAttempts(2)
            .maxAttempts(FailureClass.TRANSIENT, 6)
            .action(FailureClass.BUSINESS, FailureAction.PARK)
            .action(FailureClass.UNKNOWN, FailureAction.FAIL_FAST)
            .whenExhausted(FailureAction.PARK)
            .build();
    assertThat(p.maxAttempts(FailureClass.TRANSIENT)).isEqualTo(6);
    assertThat(p.decide(FailureClass.TRANSIENT, 5).retry()).isTrue();
    assertThat(p.decide(FailureClass.TRANSIENT, 6).action()).isEqualTo(FailureAction.PARK);
    assertThat(p.decide(FailureClass.BUSINESS, 1).action()).isEqualTo(FailureAction.PARK);
    assertThat(p.decide(FailureClass.UNKNOWN, 1).action()).isEqualTo(FailureAction.FAIL_FAST);
  }

  @Test
  void jitterStaysWithinItsFactorAndTheCap() {
    RetryPolicy p =
        RetryPolicy.builder()
            .maxAttempts(10)
            .initialDelay(Duration.ofMillis(1000))
            .multiplier(2)
            .maxDelay(Duration.ofMillis(3000))
            .jitter(0.5)
            .build();
    for (int i = 0; i < 500; i++) {
      long first = p.delay(1).toMillis();
      assertThat(first).isBetween(500L, 1500L);
      assertThat(p.delay(5).toMillis()).isBetween(1L, 3000L);
    }
    assertThat(p.maxTotalDelay(FailureClass.TRANSIENT)).isLessThanOrEqualTo(Duration.ofSeconds(27));
  }

  @Test
  void unboundedOnlyWhenAskedFor() {
    RetryPolicy p = RetryPolicy.builder().unboundedAttempts().build();
    assertThat(p.maxAttempts(FailureClass.TRANSIENT)).isEqualTo(RetryPolicy.UNBOUNDED);
    assertThat(p.decide(FailureClass.TRANSIENT, 1_000_000).retry()).isTrue();
    assertThat(p.maxTotalDelay(FailureClass.TRANSIENT)).isNull();
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(Integer.MAX_VALUE).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("unboundedAttempts()");
  }

  @Test
  void invalidConfigurationNamesTheProperty() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageStartingWith("RetryPolicy.maxAttempts must be at least 1")
        .hasMessageEndingWith("was 0");
    assertThatThrownBy(() -> RetryPolicy.builder().initialDelay(Duration.ZERO).build())
        .hasMessageStartingWith("RetryPolicy.initialDelay must be at least 1 ms");
    assertThatThrownBy(() -> RetryPolicy.builder().initialDelay(Duration.ofMillis(-5)).build())
        .hasMessageStartingWith("RetryPolicy.initialDelay");
    assertThatThrownBy(
            () ->
                RetryPolicy.builder()
                    .initialDelay(Duration.ofSeconds(5))
                    .maxDelay(Duration.ofSeconds(1))
                    .build())
        .hasMessageStartingWith("RetryPolicy.maxDelay");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5).build())
        .hasMessageStartingWith("RetryPolicy.multiplier");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5).build())
        .hasMessageStartingWith("RetryPolicy.jitter");
    assertThatThrownBy(() -> RetryPolicy.builder().whenExhausted(FailureAction.RETRY).build())
        .hasMessageStartingWith("RetryPolicy.whenExhausted");
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(FailureClass.TRANSIENT, -1).build())
        .hasMessageStartingWith("RetryPolicy.maxAttempts[TRANSIENT]");
  }

  @Test
  void builtPolicyIsNotChangedByItsBuilder() {
    RetryPolicy.Builder b = RetryPolicy.builder().maxAttempts(2);
    RetryPolicy built = b.build();
    b.maxAttempts(9);
    assertThat(built.maxAttempts(FailureClass.TRANSIENT)).isEqualTo(2);
  }
}
