package dev.keel.test;

import dev.keel.test.internal.ContainerBackends;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The JUnit 5 extension behind {@link KeelContainers}. */
public final class ContainersExtension extends BackendExtension {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext ec) {
    if (!ContainerBackends.dockerAvailable()) {
      return ConditionEvaluationResult.disabled(
          "Testcontainers test skipped: no Docker engine is available on this machine");
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
