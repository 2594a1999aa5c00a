package dev.keel.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class DeadLetterHeadersTest {

  private static FailedRecord with(FailedRecord.Header... headers) {
    return new FailedRecord("orders", 0, 7L, null, new byte[0], List.of(headers));
  }

  @Test
  void forgedAttemptHeadersAreBounded() {
    assertThat(DeadLetterHeaders.attempts(with(), 5)).isZero();
    assertThat(
            DeadLetterHeaders.attempts(
                with(FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "2")), 5))
        .isEqualTo(2);
    assertThat(
            DeadLetterHeaders.attempts(
                with(FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "999999999")), 5))
        .isEqualTo(5);
    assertThat(
            DeadLetterHeaders.attempts(
                with(FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "-3")), 5))
        .isZero();
    assertThat(
            DeadLetterHeaders.attempts(
                with(FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "1e9")), 5))
        .isZero();
    assertThat(
            DeadLetterHeaders.attempts(
                with(
                    FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "1"),
                    FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "1")),
                5))
        .isZero();
    assertThat(
            DeadLetterHeaders.attempts(
                with(FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "1".repeat(2000))), 5))
        .isZero();
    assertThat(
            DeadLetterHeaders.attempts(
                with(new FailedRecord.Header(DeadLetterHeaders.ATTEMPTS, null)), 5))
        .isZero();
  }

  @Property(tries = 300)
  void anyAttemptsHeaderStaysWithinZeroAndTheLimit(
      @ForAll String value, @ForAll @IntRange(min = 1, max = 50) int max) {
    List<FailedRecord.Header> h = new ArrayList<>();
    h.add(FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, value));
    int n = DeadLetterHeaders.attempts(new FailedRecord("t", 0, 0, null, null, h), max);
    assertThat(n).isBetween(0, max);
  }

  @Test
  void deadLetterHeaderNamesShareThePrefix() {
    assertThat(DeadLetterHeaders.isDeadLetterHeader(DeadLetterHeaders.ORIGINAL_TOPIC)).isTrue();
    assertThat(DeadLetterHeaders.isDeadLetterHeader("keel-event-id")).isFalse();
    assertThat(DeadLetterHeaders.isDeadLetterHeader(null)).isFalse();
  }
}
