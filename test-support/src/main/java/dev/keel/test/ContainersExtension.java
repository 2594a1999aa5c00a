package dev.keel.test;

import dev.keel.test.internal.ContainerBackends;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JUnit 5 extension behind {@link KeelContainers}. */
public final class ContainersExtension extends BackendExtension {
  private static final Logger log = LoggerFactory.getLogger(ContainersExtension.class);
  private static final String DOCKER_SKIP =
      "Testcontainers test skipped: no Docker engine is available on this machine";

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext ec) {
    if (!ContainerBackends.dockerAvailable()) {
      log.warn(DOCKER_SKIP + " [{}]", ec.getDisplayName());
      return ConditionEvaluationResult.disabled(DOCKER_SKIP);
    }
    return super.evaluateExecutionCondition(ec);
  }

  @Override
  KafkaBroker startBroker() {
    return ContainerBackends.kafka();
  }

  @Override
  Database startPostgres() {
    return ContainerBackends.postgres();
  }
}
