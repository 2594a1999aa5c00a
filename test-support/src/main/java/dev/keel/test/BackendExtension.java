package dev.keel.test;

import dev.keel.test.internal.QuietServerLogging;
import java.lang.reflect.Executable;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parameter resolution shared by {@link KeelExtension} and {@link ContainersExtension}: one broker
 * and one PostgreSQL per test run (stored in the root context and closed when the run ends), a
 * schema and topic names of its own per test.
 */
abstract class BackendExtension implements ParameterResolver, ExecutionCondition {
  private static final Logger log = LoggerFactory.getLogger(BackendExtension.class);

  static {
    // before the first broker, server or client logger of the run exists
    QuietServerLogging.apply();
  }

  private final ExtensionContext.Namespace ns = ExtensionContext.Namespace.create(getClass());

  /** Starts the run-wide broker. */
  abstract KafkaBroker startBroker();

  /** Starts the run-wide PostgreSQL. */
  abstract Database startPostgres();

  private static final String MARIADB_SKIP =
      "MariaDB test skipped: set "
          + Database.MARIADB_URL_ENV
          + " (for example jdbc:mariadb://127.0.0.1:3306/test?user=root) to run it";

  /** Skips, with the reason, a test whose parameters need MariaDB when none is configured. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext ec) {
    Stream<Executable> executables =
        ec.getTestMethod().isPresent()
            ? Stream.of(ec.getTestMethod().get())
            : ec.getTestClass().stream().flatMap(c -> Arrays.stream(c.getDeclaredConstructors()));
    boolean needsMariaDb =
        executables
            .flatMap(e -> Arrays.stream(e.getParameters()))
            .map(p -> p.getAnnotation(WithDatabase.class))
            .anyMatch(a -> a != null && a.value() == DatabaseKind.MARIADB);
    String mariaDbUrl = System.getenv(Database.MARIADB_URL_ENV);
    if (needsMariaDb && (mariaDbUrl == null || mariaDbUrl.isBlank())) {
      log.warn(MARIADB_SKIP + " [{}]", ec.getDisplayName());
      return ConditionEvaluationResult.disabled(MARIADB_SKIP);
    }
    return ConditionEvaluationResult.enabled("backends available");
  }

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
    Class<?> type = pc.getParameter().getType();
    return type == KafkaBroker.class
        || type == Topics.class
        || type == IsolatedDatabase.class
        || type == Database.class;
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
    Parameter parameter = pc.getParameter();
    Class<?> type = parameter.getType();
    if (type == KafkaBroker.class) {
      return broker(ec);
    }
    if (type == Topics.class) {
      return new Topics(broker(ec), scopeName(ec));
    }
    if (type == Database.class) {
      return server(ec, DatabaseKind.POSTGRES);
    }
    DatabaseKind kind =
        Optional.ofNullable(parameter.getAnnotation(WithDatabase.class))
            .map(WithDatabase::value)
            .orElse(DatabaseKind.POSTGRES);
    IsolatedDatabase db = server(ec, kind).createIsolated(scopeName(ec));
    // Closed (and dropped) when the test or class that asked for it ends.
    ec.getStore(ns).put(new Object(), (AutoCloseable) db::close);
    return db;
  }

  private static String scopeName(ExtensionContext ec) {
    return ec.getTestMethod()
        .map(m -> ec.getRequiredTestClass().getSimpleName() + "_" + m.getName())
        .orElse(ec.getRequiredTestClass().getSimpleName());
  }

  /** The run-wide broker. */
  KafkaBroker broker(ExtensionContext ec) {
    return ec.getRoot()
        .getStore(ns)
        .getOrComputeIfAbsent(
            KafkaBroker.class,
            k -> {
              long start = System.nanoTime();
              KafkaBroker b = startBroker();
              log.info("Keel tests use {} (ready in {} ms)", b.describe(), millisSince(start));
              ec.publishReportEntry("keel.kafka", b.describe());
              if (!TestTime.offset().isZero()) {
                log.info(
                    "Keel test clocks start {} away from the wall clock ({})",
                    TestTime.offset(),
                    TestTime.OFFSET_PROPERTY);
              }
              return b;
            },
            KafkaBroker.class);
  }

  private Database server(ExtensionContext ec, DatabaseKind kind) {
    return ec.getRoot()
        .getStore(ns)
        .getOrComputeIfAbsent(
            kind,
            k -> {
              long start = System.nanoTime();
              Database d = open(kind);
              log.info("Keel tests use {} (ready in {} ms)", d.describe(), millisSince(start));
              ec.publishReportEntry("keel.database." + kind.name().toLowerCase(), d.describe());
              return d;
            },
            Database.class);
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private Database open(DatabaseKind kind) {
    switch (kind) {
      case POSTGRES:
        return startPostgres();
      case H2:
        return Database.h2();
      case MARIADB:
        return Database.mariadb().orElseThrow(() -> new ParameterResolutionException(MARIADB_SKIP));
      default:
        throw new ParameterResolutionException("Unknown database kind " + kind);
    }
  }
}
