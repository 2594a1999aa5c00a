package dev.keel.spring.boot.autoconfigure;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.HandlerTransactions;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.contract.EventContracts;
import dev.keel.spring.boot.autoconfigure.internal.SpringHandlerTransactions;
import dev.keel.spring.boot.autoconfigure.listener.KeelListenerBeans;
import dev.keel.spring.boot.autoconfigure.listener.KeelListenerContainer;
import dev.keel.spring.boot.autoconfigure.listener.KeelListenerProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The listeners: {@code @KeelListener} methods of the context's beans, found by bean
 * post-processing and run by Keel's consumer runtime ({@link KeelListenerContainer}), started and
 * stopped with the context. Each handler runs in a transaction of the application's {@link
 * PlatformTransactionManager}, so that its repositories write in the same transaction as Keel's
 * dedupe row (the primary transaction manager when there are several; without any, Keel's own JDBC
 * transactions; an application's {@link HandlerTransactions} bean replaces both). Present when
 * keel-consumer-core and spring-jdbc are on the class path and the application has a data source
 * and a Kafka cluster; {@code keel.listeners.enabled=false} turns it off.
 */
@AutoConfiguration(after = {KeelAutoConfiguration.class, KeelRelayAutoConfiguration.class})
@ConditionalOnClass({ConsumerRuntime.class, DataSourceUtils.class})
@ConditionalOnBooleanProperty(name = "keel.listeners.enabled", matchIfMissing = true)
public class KeelListenersAutoConfiguration {
  private static final ConfigurationPropertyName ENABLED =
      ConfigurationPropertyName.of("keel.listeners.enabled");

  /** Creates the auto-configuration; Spring calls it. */
  public KeelListenersAutoConfiguration() {}

  /**
   * Finds the beans with {@code @KeelListener} methods.
   *
   * @return the post-processor
   */
  @Bean
  @ConditionalOnMissingBean
  public static KeelListenerBeans keelListenerBeans() {
    return new KeelListenerBeans();
  }

  /**
   * Runs the listeners found, when there are any.
   *
   * @param beans the beans with listener methods
   * @param database the shared database
   * @param kafka the shared cluster
   * @param settings the {@code keel.*} settings
   * @param environment for {@code keel.listeners.<id>.*} and {@code
   *     spring.kafka.consumer.auto-offset-reset}
   * @param handlerTransactions the application's own {@link HandlerTransactions}, if any
   * @param transactionManager the application's transaction manager: the only one or the primary
   * @param contracts the application's event contracts, if any
   * @param meterRegistry Micrometer's registry, if any
   * @param observationRegistry the application's observation registry (a {@code process <topic>}
   *     span around each handler, continuing the event's trace), if any
   * @return the container
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean({KeelDatabase.class, KeelKafka.class})
  public KeelListenerContainer keelListenerContainer(
      KeelListenerBeans beans,
      KeelDatabase database,
      KeelKafka kafka,
      KeelSettings settings,
      Environment environment,
      ObjectProvider<HandlerTransactions> handlerTransactions,
      ObjectProvider<PlatformTransactionManager> transactionManager,
      ObjectProvider<EventContracts> contracts,
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<ObservationRegistry> observationRegistry) {
    HandlerTransactions transactions = handlerTransactions.getIfUnique();
    if (transactions == null) {
      PlatformTransactionManager tm = transactionManager.getIfUnique();
      if (tm == null && transactionManager.stream().findAny().isPresent()) {
        // Never fall back to Keel's own transactions silently: the handlers' repositories would
        // write outside the dedupe row's transaction.
        throw new KeelConfigurationException(
            "Keel listeners: the context has several PlatformTransactionManager beans and none is"
                + " @Primary; mark the one that manages Keel's DataSource @Primary, or define a"
                + " HandlerTransactions bean");
      }
      transactions = tm != null ? new SpringHandlerTransactions(tm) : HandlerTransactions.JDBC;
    }
    Map<String, Object> consumer = new LinkedHashMap<>();
    String reset = environment.getProperty("spring.kafka.consumer.auto-offset-reset");
    if (reset != null && !reset.isBlank()) {
      consumer.put("auto.offset.reset", reset.trim());
    }
    return new KeelListenerContainer(
        beans,
        database,
        kafka,
        settings,
        perListener(environment),
        consumer,
        transactions,
        contracts.getIfAvailable(EventContracts::none),
        meterRegistry.getIfAvailable(),
        observationRegistry.getIfAvailable());
  }

  /** {@code keel.listeners.<id>.*}, {@code keel.listeners.enabled} left out. */
  static Map<String, KeelListenerProperties> perListener(Environment environment) {
    Iterable<ConfigurationPropertySource> sources = ConfigurationPropertySources.get(environment);
    java.util.List<ConfigurationPropertySource> filtered = new java.util.ArrayList<>();
    sources.forEach(s -> filtered.add(s.filter(name -> !ENABLED.equals(name))));
    return new Binder(filtered)
        .bind("keel.listeners", Bindable.mapOf(String.class, KeelListenerProperties.class))
        .orElseGet(Map::of);
  }
}
