package dev.keel.retry;

import dev.keel.event.FailureClass;
import dev.keel.retry.internal.DefaultFailureClassifier;

/**
 * Maps a throwable to the failure taxonomy ({@link FailureClass}); the class's action then comes
 * from the {@link RetryPolicy}.
 *
 * <p>The cause chain is walked from the outermost throwable inwards (at most 32 levels, cycles
 * ignored). A {@link dev.keel.event.FatalKeelException} anywhere in the chain gives its own class,
 * which no rule overrides. Otherwise, at each level the first answer wins, in this order: a rule
 * added with {@link Builder#rule} for the most specific matching type; the class carried by a
 * {@link dev.keel.event.KeelException} (so {@code MalformedEventException} and {@code
 * PayloadException} are {@code DESERIALIZATION}, {@code UnknownContractVersionException} is {@code
 * CONTRACT_VERSION}, {@code KeelConfigurationException} is {@code VALIDATION}; a {@code TRANSIENT}
 * one with an SQL data exception, state class {@code 22}, in its causes is {@code VALIDATION}); the
 * built-in rules (timeouts, connection failures, Kafka's retriable and serialization errors, JSON
 * parse errors, SQL states {@code 08xxx} and {@code 40xxx} as {@code TRANSIENT}, SQL state class
 * {@code 22}, data exceptions such as U+0000 in PostgreSQL text, as {@code VALIDATION}). Nothing
 * matched gives {@link FailureClass#UNKNOWN}.
 *
 * <p>Rules name exception types, never strings: no class is ever loaded from a name found in a
 * record. {@link dev.keel.event.FatalKeelException} classifies as {@code FATAL}, whose action is
 * {@code FAIL_FAST} whatever the policy says, so a fatal error wrapped in another exception stops
 * the component too; callers that catch it directly stop before asking the policy.
 *
 * <pre>{@code
 * FailureClassifier classifier = FailureClassifier.builder()
 *     .rule(InsufficientFundsException.class, FailureClass.BUSINESS)
 *     .rule(ConstraintViolationException.class, FailureClass.VALIDATION)
 *     .build();
 * FailureClass c = classifier.classify(error);
 * }</pre>
 *
 * <p>Thread safety: classifiers are immutable and thread-safe; the builder is not.
 */
public interface FailureClassifier {

  /** A builder that starts with the built-in rules. */
  static Builder builder() {
    return new DefaultFailureClassifier.Builder();
  }

  /** The built-in rules only. */
  static FailureClassifier defaults() {
    return builder().build();
  }

  /**
   * The class of a failure.
   *
   * @param error the throwable a handler or deserializer raised; null gives {@code UNKNOWN}
   */
  FailureClass classify(Throwable error);

  /** Builds a {@link FailureClassifier}. Not thread-safe. */
  interface Builder {
    /**
     * Classifies a type and its subtypes; a rule for a more specific type wins over one for its
     * supertype, and a user rule wins over the built-in ones at the same level of the cause chain.
     *
     * @param type the exception type
     * @param failureClass its class
     */
    Builder rule(Class<? extends Throwable> type, FailureClass failureClass);

    /** Validates and builds. */
    FailureClassifier build();
  }
}
