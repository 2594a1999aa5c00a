package dev.keel.retry.internal;

import dev.keel.event.FailureClass;
import dev.keel.event.FatalKeelException;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.KeelException;
import dev.keel.event.support.SqlStates;
import dev.keel.retry.FailureClassifier;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The immutable {@link FailureClassifier}: type rules, Keel classes, then built-in rules. */
public final class DefaultFailureClassifier implements FailureClassifier {
  private static final int MAX_DEPTH = 32;
  private static final Map<Class<? extends Throwable>, FailureClass> BUILT_IN = builtIn();

  private final Map<Class<? extends Throwable>, FailureClass> rules;

  private DefaultFailureClassifier(Map<Class<? extends Throwable>, FailureClass> rules) {
    this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
  }

  @Override
  public FailureClass classify(Throwable error) {
    FatalKeelException fatal = fatalIn(error);
    if (fatal != null) {
      // Fatal wins over any rule (even one for RuntimeException): it must stop the component.
      return fatal.failureClass();
    }
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_DEPTH && seen.add(t); depth++) {
      FailureClass c = mostSpecific(rules, t.getClass());
      if (c != null) {
        return c;
      }
      if (t instanceof KeelException && ((KeelException) t).failureClass() != null) {
        FailureClass carried = ((KeelException) t).failureClass();
        // a wrapper that calls a data exception beneath it transient would retry it forever
        return carried == FailureClass.TRANSIENT && SqlStates.dataExceptionIn(t.getCause())
            ? FailureClass.VALIDATION
            : carried;
      }
      if (t instanceof SQLException) {
        String state = ((SQLException) t).getSQLState();
        // 08: connection exception; 40: transaction rollback (serialization failure, deadlock).
        if (state != null && (state.startsWith("08") || state.startsWith("40"))) {
          return FailureClass.TRANSIENT;
        }
        // 22: data exception (U+0000 in text, a value too long, a bad number): the same data
        // fails the same way on every attempt.
        if (SqlStates.isDataException(state)) {
          return FailureClass.VALIDATION;
        }
      }
      c = mostSpecific(BUILT_IN, t.getClass());
      if (c != null) {
        return c;
      }
      t = t.getCause();
    }
    return FailureClass.UNKNOWN;
  }

  /** The outermost FatalKeelException of the cause chain, or null. */
  private static FatalKeelException fatalIn(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_DEPTH && seen.add(t); depth++) {
      if (t instanceof FatalKeelException) {
        return (FatalKeelException) t;
      }
      t = t.getCause();
    }
    return null;
  }

  /** The class of the rule whose type is the nearest supertype of {@code type}, or null. */
  private static FailureClass mostSpecific(
      Map<Class<? extends Throwable>, FailureClass> rules, Class<?> type) {
    for (Class<?> k = type; k != null && k != Object.class; k = k.getSuperclass()) {
      FailureClass c = rules.get(k);
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  private static Map<Class<? extends Throwable>, FailureClass> builtIn() {
    Map<Class<? extends Throwable>, FailureClass> m = new LinkedHashMap<>();
    m.put(java.util.concurrent.TimeoutException.class, FailureClass.TRANSIENT);
    m.put(java.net.SocketTimeoutException.class, FailureClass.TRANSIENT);
    m.put(java.net.ConnectException.class, FailureClass.TRANSIENT);
    m.put(java.net.UnknownHostException.class, FailureClass.TRANSIENT);
    m.put(java.sql.SQLTransientException.class, FailureClass.TRANSIENT);
    m.put(java.sql.SQLRecoverableException.class, FailureClass.TRANSIENT);
    m.put(java.sql.SQLIntegrityConstraintViolationException.class, FailureClass.VALIDATION);
    m.put(java.sql.SQLDataException.class, FailureClass.VALIDATION);
    m.put(java.io.UncheckedIOException.class, FailureClass.TRANSIENT);
    m.put(org.apache.kafka.common.errors.RetriableException.class, FailureClass.TRANSIENT);
    m.put(
        org.apache.kafka.common.errors.SerializationException.class, FailureClass.DESERIALIZATION);
    m.put(com.fasterxml.jackson.core.JsonProcessingException.class, FailureClass.DESERIALIZATION);
    m.put(java.nio.charset.CharacterCodingException.class, FailureClass.DESERIALIZATION);
    return Collections.unmodifiableMap(m);
  }

  /** The mutable builder; {@link #build()} copies. */
  public static final class Builder implements FailureClassifier.Builder {
    private final Map<Class<? extends Throwable>, FailureClass> rules = new LinkedHashMap<>();

    @Override
    public Builder rule(Class<? extends Throwable> type, FailureClass failureClass) {
      if (type == null) {
        throw new KeelConfigurationException("FailureClassifier.rule type must not be null");
      }
      if (failureClass == null) {
        throw new KeelConfigurationException(
            "FailureClassifier.rule failureClass for " + type.getName() + " must not be null");
      }
      if (type == Throwable.class || Error.class.isAssignableFrom(type)) {
        throw new KeelConfigurationException(
            "FailureClassifier.rule type must be an Exception type, was " + type.getName());
      }
      rules.put(type, Objects.requireNonNull(failureClass));
      return this;
    }

    @Override
    public FailureClassifier build() {
      return new DefaultFailureClassifier(rules);
    }
  }
}
