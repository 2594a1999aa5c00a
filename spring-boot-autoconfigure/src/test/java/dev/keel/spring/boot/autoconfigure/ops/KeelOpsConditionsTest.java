package dev.keel.spring.boot.autoconfigure.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.DeadLetters;
import dev.keel.saga.SagaAdmin;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaOrchestrator;
import dev.keel.spring.boot.autoconfigure.KeelAutoConfiguration;
import dev.keel.spring.boot.autoconfigure.actuate.KeelActuatorAutoConfiguration;
import dev.keel.spring.boot.autoconfigure.actuate.KeelEndpoint;
import dev.keel.spring.boot.autoconfigure.actuate.KeelOperationsEndpoint;
import dev.keel.spring.boot.autoconfigure.dlq.KeelDeadLettersAutoConfiguration;
import dev.keel.spring.boot.autoconfigure.saga.KeelSagaAutoConfiguration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.jmx.JmxEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.jmx.JmxEndpointsSupplier;
import org.springframework.boot.actuate.endpoint.jmx.JmxOperation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jmx.JmxAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Which of Keel's saga, dead-letter and actuator beans exist, by class path and property. */
class KeelOpsConditionsTest {

  /** No saga bean. */
  private final ApplicationContextRunner noSagas =
      new ApplicationContextRunner()
          .withUserConfiguration(H2.class)
          .withConfiguration(
              AutoConfigurations.of(
                  KafkaAutoConfiguration.class,
                  KeelAutoConfiguration.class,
                  KeelSagaAutoConfiguration.class,
                  KeelDeadLettersAutoConfiguration.class,
                  EndpointAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class,
                  KeelActuatorAutoConfiguration.class))
          .withPropertyValues(
              "spring.kafka.bootstrap-servers=localhost:9",
              "management.endpoints.web.exposure.include=health,keel");

  /** The application with a saga (local steps only). */
  private final ApplicationContextRunner runner = noSagas.withUserConfiguration(LocalSaga.class);

  @Configuration(proxyBeanMethods = false)
  static class LocalSaga {
    @Bean
    SagaDefinition<KeelSagaIT.Order> localSaga() {
      return SagaDefinition.builder("local", KeelSagaIT.Order.class)
          .step("only", s -> s.local((tx, d) -> d).noCompensation())
          .build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class H2 {
    @Bean
    DataSource dataSource() {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL("jdbc:h2:mem:keel-ops-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
      return ds;
    }
  }

  @Test
  void everythingIsThereByDefaultAndTheEndpointIsReadOnly() {
    runner.run(
        ctx -> {
          assertThat(ctx)
              .hasNotFailed()
              .hasSingleBean(SagaAdmin.class)
              .hasSingleBean(DeadLetters.class)
              .hasSingleBean(KeelEndpoint.class)
              .doesNotHaveBean(KeelOperationsEndpoint.class)
              // no SagaDefinition bean: no orchestrator
              .doesNotHaveBean(SagaOrchestrator.class);
          assertThat(ctx).hasBean("keelHealthContributor");
          CompositeHealthContributor keel =
              ctx.getBean("keelHealthContributor", CompositeHealthContributor.class);
          assertThat(keel.stream().map(c -> c.name()))
              .containsExactlyInAnyOrder("relayLanes", "outboxLag", "deadLetters", "sagas");
        });
  }

  @Test
  void operationsEnabledMakeTheEndpointTheOperationsEndpoint() {
    runner
        .withPropertyValues("keel.actuator.operations.enabled=true")
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .hasSingleBean(KeelEndpoint.class)
                    .hasSingleBean(KeelOperationsEndpoint.class));
  }

  /** The operations Boot's endpoint discovery finds on the keel endpoint (through JMX). */
  private static List<OperationType> keelOperations(AssertableApplicationContext ctx) {
    return ctx.getBean(JmxEndpointsSupplier.class).getEndpoints().stream()
        .filter(e -> e.getEndpointId().toString().equals("keel"))
        .flatMap(e -> e.getOperations().stream())
        .map(JmxOperation::getType)
        .toList();
  }

  private ApplicationContextRunner jmx() {
    return runner
        .withConfiguration(
            AutoConfigurations.of(JmxAutoConfiguration.class, JmxEndpointAutoConfiguration.class))
        .withPropertyValues(
            "spring.jmx.enabled=true",
            "spring.jmx.unique-names=true",
            "management.endpoints.jmx.exposure.include=keel");
  }

  @Test
  void bootFindsNoWriteOperationOnTheKeelEndpointUnlessOperationsAreEnabled() {
    jmx()
        .run(
            ctx ->
                assertThat(keelOperations(ctx))
                    .as("the read operations only")
                    .containsExactly(OperationType.READ, OperationType.READ));
    jmx()
        .withPropertyValues("keel.actuator.operations.enabled=true")
        .run(
            ctx ->
                assertThat(keelOperations(ctx))
                    .containsExactlyInAnyOrder(
                        OperationType.READ, OperationType.READ, OperationType.WRITE));
  }

  private ApplicationContextRunner healthEndpoint() {
    return runner
        .withConfiguration(
            AutoConfigurations.of(
                HealthContributorRegistryAutoConfiguration.class,
                HealthEndpointAutoConfiguration.class))
        .withPropertyValues("management.endpoint.health.show-details=always");
  }

  @Test
  void theHealthEndpointShowsKeelWithItsFourChecks() {
    healthEndpoint()
        .run(
            ctx -> {
              HealthDescriptor keel = ctx.getBean(HealthEndpoint.class).healthForPath("keel");
              assertThat(keel).isInstanceOf(CompositeHealthDescriptor.class);
              assertThat(keel.getStatus()).isEqualTo(Status.UP);
              assertThat(((CompositeHealthDescriptor) keel).getComponents())
                  .containsOnlyKeys("relayLanes", "outboxLag", "deadLetters", "sagas");
            });
  }

  @Test
  void aCheckWhoseQueryFailsIsUnknownWithTheError() {
    healthEndpoint()
        .withPropertyValues("keel.database.schema-policy=none")
        .run(
            ctx -> {
              HealthDescriptor sagas =
                  ctx.getBean(HealthEndpoint.class).healthForPath("keel", "sagas");
              assertThat(sagas.getStatus()).isEqualTo(Status.UNKNOWN);
              assertThat(((IndicatedHealthDescriptor) sagas).getDetails().get("error").toString())
                  .containsIgnoringCase("keel_saga");
            });
  }

  @Test
  void aBadActuatorPropertyFailsTheStartNamingTheKey() {
    runner
        .withPropertyValues("keel.actuator.health.outbox-lag-threshold=10ms")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("keel.actuator.health.outbox-lag-threshold"));
  }

  @Test
  void withoutSagaBeansThereIsNoSagaAdminAndNoSagaTableUnlessAskedFor() {
    noSagas.run(
        ctx -> {
          assertThat(ctx).hasNotFailed().doesNotHaveBean(SagaAdmin.class);
          assertThat(ctx.getBean(KeelEndpoint.class).keel()).doesNotContainKey("sagas");
          try (Connection c = ctx.getBean(DataSource.class).getConnection();
              ResultSet rs = c.getMetaData().getTables(null, null, "KEEL_SAGA", null)) {
            assertThat(rs.next()).as("keel_saga created").isFalse();
          }
        });
    noSagas
        .withPropertyValues("keel.saga.admin.enabled=true")
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(SagaAdmin.class));
  }

  @Test
  void keelSagaEnabledFalseAndKeelDlqEnabledFalseTurnThemOff() {
    runner
        .withPropertyValues("keel.saga.enabled=false", "keel.dlq.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx)
                  .hasNotFailed()
                  .doesNotHaveBean(SagaAdmin.class)
                  .doesNotHaveBean(DeadLetters.class)
                  .hasSingleBean(KeelEndpoint.class);
              assertThat(ctx.getBean(KeelEndpoint.class).keel())
                  .containsOnlyKeys("outbox", "operationsEnabled");
            });
  }

  @Test
  void withoutTheSagaModuleOrTheDlqModuleTheirBeansAreAbsent() {
    runner
        .withClassLoader(new FilteredClassLoader(SagaOrchestrator.class, DeadLetters.class))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .doesNotHaveBean(SagaAdmin.class)
                    .doesNotHaveBean(DeadLetters.class)
                    .hasSingleBean(KeelEndpoint.class));
  }

  @Test
  void withoutActuatorThereIsNoEndpointAndNoHealth() {
    new ApplicationContextRunner()
        .withUserConfiguration(H2.class)
        .withConfiguration(
            AutoConfigurations.of(
                KafkaAutoConfiguration.class,
                KeelAutoConfiguration.class,
                KeelDeadLettersAutoConfiguration.class,
                KeelActuatorAutoConfiguration.class))
        .withClassLoader(
            new FilteredClassLoader(
                "org.springframework.boot.actuate", "org.springframework.boot.health"))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .hasSingleBean(DeadLetters.class)
                    .doesNotHaveBean(KeelEndpoint.class)
                    .doesNotHaveBean("keelHealthContributor"));
  }

  @Test
  void managementHealthKeelEnabledFalseTurnsTheHealthContributorOff() {
    runner
        .withPropertyValues("management.health.keel.enabled=false")
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .hasSingleBean(KeelEndpoint.class)
                    .doesNotHaveBean("keelHealthContributor"));
  }
}
