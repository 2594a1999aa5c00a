package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.spring.boot.autoconfigure.listener.KeelListenerBeans;
import dev.keel.spring.boot.autoconfigure.listener.KeelListenerContainer;
import dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Nothing activates for a Keel module absent from the class path, and every part has its switch.
 * The contexts run on an in-memory H2 database and an unreachable Kafka address: only which beans
 * are defined is checked (the listener container starts nothing when no bean has a listener).
 */
class ConditionalActivationTest {

  private static DataSource h2() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:keel-conditions;DB_CLOSE_DELAY=-1");
    return ds;
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  KeelSchemaAutoConfiguration.class,
                  KeelAutoConfiguration.class,
                  KeelOutboxAutoConfiguration.class,
                  KeelRelayAutoConfiguration.class,
                  KeelListenersAutoConfiguration.class))
          .withBean(DataSource.class, ConditionalActivationTest::h2)
          .withBean(
              KeelKafka.class, () -> KeelKafka.builder().bootstrapServers("127.0.0.1:9").build())
          .withPropertyValues("keel.database.dialect=h2", "keel.relay.close-timeout=1s");

  @Test
  void everyPartIsConfiguredWhenItsModuleIsPresent() {
    runner.run(
        ctx ->
            assertThat(ctx)
                .hasNotFailed()
                .hasSingleBean(KeelDatabase.class)
                .hasSingleBean(Outbox.class)
                .hasSingleBean(TransactionalOutbox.class)
                .hasSingleBean(OutboxRelay.class)
                .hasSingleBean(KeelListenerBeans.class)
                .hasSingleBean(KeelListenerContainer.class));
  }

  @Test
  void withoutOutboxCoreNoOutboxAndNoRelay() {
    runner
        .withClassLoader(new FilteredClassLoader(Outbox.class))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .hasSingleBean(KeelDatabase.class)
                    .doesNotHaveBean("keelOutbox")
                    .doesNotHaveBean("keelTransactionalOutbox")
                    .doesNotHaveBean("keelOutboxRelay")
                    .hasSingleBean(KeelListenerContainer.class));
  }

  @Test
  void withoutConsumerCoreNoListeners() {
    runner
        .withClassLoader(new FilteredClassLoader(ConsumerRuntime.class))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .doesNotHaveBean("keelListenerBeans")
                    .doesNotHaveBean("keelListenerContainer")
                    .hasSingleBean(OutboxRelay.class));
  }

  @Test
  void withoutSpringJdbcNeitherTheTransactionalOutboxNorTheListeners() {
    runner
        .withClassLoader(new FilteredClassLoader(DataSourceUtils.class))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .doesNotHaveBean("keelTransactionalOutbox")
                    .doesNotHaveBean("keelListenerContainer"));
  }

  @Test
  void withoutFlywayKeelsInstallerKeepsTheSchema() {
    runner
        .withClassLoader(new FilteredClassLoader(Flyway.class))
        .run(ctx -> assertThat(ctx).hasNotFailed().hasSingleBean(KeelDatabase.class));
  }

  @Test
  void severalTransactionManagersWithoutAPrimaryOneFailTheStartInsteadOfAQuietFallback() {
    runner
        .withBean(
            "tm1", PlatformTransactionManager.class, () -> new DataSourceTransactionManager(h2()))
        .withBean(
            "tm2", PlatformTransactionManager.class, () -> new DataSourceTransactionManager(h2()))
        .run(
            ctx ->
                assertThat(ctx)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("several PlatformTransactionManager beans"));
  }

  @Test
  void eachPartHasItsSwitch() {
    runner
        .withPropertyValues("keel.relay.enabled=false")
        .run(
            ctx ->
                assertThat(ctx)
                    .doesNotHaveBean("keelOutboxRelay")
                    .hasSingleBean(TransactionalOutbox.class));
    runner
        .withPropertyValues("keel.outbox.enabled=false")
        .run(
            ctx ->
                assertThat(ctx)
                    .doesNotHaveBean("keelOutbox")
                    .doesNotHaveBean("keelTransactionalOutbox")
                    .doesNotHaveBean("keelOutboxRelay"));
    runner
        .withPropertyValues("keel.listeners.enabled=false")
        .run(
            ctx ->
                assertThat(ctx)
                    .doesNotHaveBean("keelListenerBeans")
                    .doesNotHaveBean("keelListenerContainer")
                    .hasSingleBean(OutboxRelay.class));
  }
}
