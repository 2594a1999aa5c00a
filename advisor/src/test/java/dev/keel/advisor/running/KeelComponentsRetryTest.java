package dev.keel.advisor.running;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.advisor.RetrySpec;
import dev.keel.retry.RetryPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeelComponentsRetryTest {

  @Test
  void inPlaceWithoutTiersNonBlockingWithThem() {
    RetryPolicy policy =
        RetryPolicy.builder().maxAttempts(2).initialDelay(Duration.ofMillis(100)).build();
    RetrySpec inPlace = KeelComponents.retry(policy, List.of());
    assertThat(inPlace.mode()).isEqualTo(RetrySpec.Mode.IN_PLACE);
    assertThat(inPlace.tiers()).isEmpty();
    assertThat(inPlace.maxAttempts()).isEqualTo(2);

    List<Duration> tiers = List.of(Duration.ofSeconds(10), Duration.ofMinutes(1));
    RetrySpec tiered = KeelComponents.retry(policy, tiers);
    assertThat(tiered.mode()).isEqualTo(RetrySpec.Mode.NON_BLOCKING);
    assertThat(tiered.tiers()).containsExactlyElementsOf(tiers);
  }
}
