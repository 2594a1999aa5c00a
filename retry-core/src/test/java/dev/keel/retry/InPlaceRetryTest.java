package dev.keel.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** In-place retry returns the successful attempt's value and the attempt count. */
class InPlaceRetryTest {
  private final List<Duration> slept = new ArrayList<>();
  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final InPlaceRetry retry =
      InPlaceRetry.builder()
          .policy(RetryPolicy.builder().maxAttempts(4).jitter(0).build())
          .sleeper(slept::add)
          .clock(clock)
          .build();

  @Test
  void firstAttemptSucceedsWithItsValueAndOneAttempt() {
    RetryOutcome<String> outcome = retry.call(attempt -> "done at " + attempt);

    assertThat(outcome.succeeded()).isTrue();
    assertThat(outcome.value()).isEqualTo("done at 1");
    assertThat(outcome.attempts()).isEqualTo(1);
    assertThat(outcome.firstFailure()).isNull();
    assertThat(outcome.lastFailure()).isNull();
    assertThat(slept).isEmpty();
  }

  @Test
  void aLaterAttemptSucceedsWithTheAttemptNumbersCountedByTheRetry() {
    List<Integer> seen = new ArrayList<>();
    RetryOutcome<Integer> outcome =
        retry.call(
            attempt -> {
              seen.add(attempt);
              if (attempt < 3) {
                throw new SocketTimeoutException("slow");
              }
              return attempt * 10;
            });

    assertThat(outcome.succeeded()).isTrue();
    assertThat(outcome.value()).isEqualTo(30);
    assertThat(outcome.attempts()).isEqualTo(3);
    assertThat(seen).containsExactly(1, 2, 3);
    assertThat(slept).hasSize(2);
    assertThat(outcome.firstFailure()).isEqualTo(clock.instant());
    assertThat(outcome.lastFailure()).isEqualTo(clock.instant());
  }

  @Test
  void givingUpKeepsNoValueAndCountsEveryAttempt() {
    RetryOutcome<String> outcome =
        retry.call(
            attempt -> {
              throw new SocketTimeoutException("down " + attempt);
            });

    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.value()).isNull();
    assertThat(outcome.attempts()).isEqualTo(4);
    assertThat(outcome.failureClass()).isEqualTo(FailureClass.TRANSIENT);
    assertThat(outcome.action()).isEqualTo(FailureAction.DEAD_LETTER);
    assertThat(outcome.lastError()).hasMessage("down 4");
    Failure failure = outcome.toFailure("billing");
    assertThat(failure.attempts()).isEqualTo(4);
    assertThat(failure.group()).isEqualTo("billing");
  }

  @Test
  void runIsCallWithoutAValue() {
    int[] calls = {0};
    RetryOutcome<Void> outcome =
        retry.run(
            () -> {
              if (++calls[0] == 1) {
                throw new SocketTimeoutException("once");
              }
            });

    assertThat(outcome.succeeded()).isTrue();
    assertThat(outcome.value()).isNull();
    assertThat(outcome.attempts()).isEqualTo(2);
  }

  @Test
  void aSuccessHasNoFailure() {
    RetryOutcome<String> outcome = retry.call(attempt -> "ok");

    assertThatThrownBy(() -> outcome.toFailure("billing"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anInterruptedWaitGivesUpWithTheLastError() {
    InPlaceRetry interrupted =
        InPlaceRetry.builder()
            .sleeper(
                d -> {
                  throw new InterruptedException();
                })
            .clock(clock)
            .build();
    try {
      RetryOutcome<String> outcome =
          interrupted.call(
              attempt -> {
                throw new SocketTimeoutException("slow");
              });

      assertThat(outcome.succeeded()).isFalse();
      assertThat(outcome.attempts()).isEqualTo(1);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
