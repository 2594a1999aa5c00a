package dev.keel.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import dev.keel.event.FatalKeelException;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.MalformedEventException;
import dev.keel.event.UnknownContractVersionException;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.json.PayloadException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {

  static class InsufficientFunds extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  static class CardExpired extends InsufficientFunds {
    private static final long serialVersionUID = 1L;
  }

  private final FailureClassifier defaults = FailureClassifier.defaults();

  @Test
  void fatalExceptionFailsFastWrappedOrNotAndDespiteABroadRule() {
    FatalKeelException fatal = new FatalKeelException("relay r-1 was fenced on lane 3");
    FailureClassifier broad =
        FailureClassifier.builder().rule(RuntimeException.class, FailureClass.BUSINESS).build();
    assertThat(broad.classify(fatal)).isEqualTo(fatal.failureClass());
    assertThat(defaults.classify(fatal)).isEqualTo(fatal.failureClass());
    assertThat(defaults.classify(new ExecutionException(fatal))).isEqualTo(fatal.failureClass());
    assertThat(RetryPolicy.defaults().action(defaults.classify(fatal)))
        .isEqualTo(FailureAction.FAIL_FAST);
    assertThat(broad.classify(new IllegalStateException("wrapped", fatal)))
        .isEqualTo(fatal.failureClass());
    assertThat(RetryPolicy.defaults().decide(broad.classify(fatal), 1).action())
        .isEqualTo(FailureAction.FAIL_FAST);
  }

  @Test
  void keelExceptionsCarryTheirClass() {
    assertThat(defaults.classify(new MalformedEventException("keel-event-id", "bad")))
        .isEqualTo(FailureClass.DESERIALIZATION);
    assertThat(defaults.classify(new UnknownContractVersionException("v9")))
        .isEqualTo(FailureClass.CONTRACT_VERSION);
    assertThat(defaults.classify(new KeelConfigurationException("x")))
        .isEqualTo(FailureClass.VALIDATION);
    PayloadException decode =
        org.junit.jupiter.api.Assertions.assertThrows(
            PayloadException.class, () -> JsonCodec.create().tree("{not json".getBytes()));
    assertThat(defaults.classify(decode)).isEqualTo(FailureClass.DESERIALIZATION);
  }

  @Test
  void builtInTransientsAreFoundThroughTheCauseChain() {
    Exception wrapped =
        new RuntimeException(new ExecutionException(new SocketTimeoutException("read")));
    assertThat(defaults.classify(wrapped)).isEqualTo(FailureClass.TRANSIENT);
    assertThat(defaults.classify(new SQLException("deadlock", "40P01")))
        .isEqualTo(FailureClass.TRANSIENT);
    assertThat(defaults.classify(new SQLException("gone", "08006")))
        .isEqualTo(FailureClass.TRANSIENT);
    assertThat(defaults.classify(new org.apache.kafka.common.errors.TimeoutException("no broker")))
        .isEqualTo(FailureClass.TRANSIENT);
    assertThat(defaults.classify(new org.apache.kafka.common.errors.SerializationException("bad")))
        .isEqualTo(FailureClass.DESERIALIZATION);
  }

  @Test
  void sqlDataExceptionsArePermanentEvenUnderATransientWrapper() {
    // PostgreSQL refusing U+0000 in text (22021) or jsonb (22P05): the same bytes fail every time
    assertThat(defaults.classify(new SQLException("invalid byte sequence", "22021")))
        .isEqualTo(FailureClass.VALIDATION);
    assertThat(defaults.classify(new RuntimeException(new SQLException("\\u0000", "22P05"))))
        .isEqualTo(FailureClass.VALIDATION);
    assertThat(
            defaults.classify(
                new dev.keel.event.RetriableKeelException(
                    "store failed", new SQLException("too long", "22001"))))
        .isEqualTo(FailureClass.VALIDATION);
    assertThat(
            defaults.classify(
                new dev.keel.event.RetriableKeelException(
                    "store failed", new SQLException("gone", "08006"))))
        .isEqualTo(FailureClass.TRANSIENT);
  }

  @Test
  void unmatchedIsUnknownAndNullIsUnknown() {
    assertThat(defaults.classify(new IllegalStateException("boom")))
        .isEqualTo(FailureClass.UNKNOWN);
    assertThat(defaults.classify(null)).isEqualTo(FailureClass.UNKNOWN);
  }

  @Test
  void userRulesByTypeMostSpecificWins() {
    FailureClassifier c =
        FailureClassifier.builder()
            .rule(InsufficientFunds.class, FailureClass.BUSINESS)
            .rule(CardExpired.class, FailureClass.VALIDATION)
            .rule(SocketTimeoutException.class, FailureClass.BUSINESS)
            .build();
    assertThat(c.classify(new InsufficientFunds())).isEqualTo(FailureClass.BUSINESS);
    assertThat(c.classify(new CardExpired())).isEqualTo(FailureClass.VALIDATION);
    assertThat(c.classify(new RuntimeException(new CardExpired())))
        .isEqualTo(FailureClass.VALIDATION);
    // a user rule overrides a built-in one
    assertThat(c.classify(new SocketTimeoutException())).isEqualTo(FailureClass.BUSINESS);
  }

  @Test
  void causeCyclesEnd() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(defaults.classify(a)).isEqualTo(FailureClass.UNKNOWN);
  }

  @Test
  void rulesMustNameExceptionTypes() {
    assertThatThrownBy(() -> FailureClassifier.builder().rule(null, FailureClass.BUSINESS))
        .isInstanceOf(KeelConfigurationException.class);
    assertThatThrownBy(
            () -> FailureClassifier.builder().rule(OutOfMemoryError.class, FailureClass.TRANSIENT))
        .hasMessageContaining("FailureClassifier.rule type must be an Exception type");
  }
}
