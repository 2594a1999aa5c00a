package dev.keel.spring.boot.autoconfigure;

import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.spring.boot.autoconfigure.internal.BootKafka;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The base of Keel's auto-configuration: the {@code keel.*} settings, the {@link KeelDatabase} of
 * the application's {@link DataSource} bean and the {@link KeelKafka} of Boot's {@code
 * spring.kafka.*} (with {@code keel.kafka.*} over it). Every other Keel auto-configuration builds
 * its components from these three beans; an application that defines one of them itself replaces
 * Keel's.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration"
    })
@EnableConfigurationProperties(KeelProperties.class)
public class KeelAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public KeelAutoConfiguration() {}

  /**
   * The {@code keel.*} settings every Keel builder reads ({@link KeelSettings}).
   *
   * @param properties the bound {@code keel.*} properties
   * @return the settings of the properties that are set
   */
  @Bean
  @ConditionalOnMissingBean
  public KeelSettings keelSettings(KeelProperties properties) {
    return properties.toSettings();
  }

  /**
   * The database Keel's components share: the application's data source with {@code
   * keel.database.*}. The data source is used as it is; the outbox joins the caller's Spring
   * transaction through it.
   *
   * @param dataSource the application's data source
   * @param settings the {@code keel.*} settings
   * @return the database
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnSingleCandidate(DataSource.class)
  public KeelDatabase keelDatabase(DataSource dataSource, KeelSettings settings) {
    return KeelDatabase.from(dataSource, settings);
  }

  /** The Kafka cluster from Spring Boot's {@code spring.kafka.*}, when Boot's Kafka is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.kafka.autoconfigure.KafkaProperties")
  static class BootKafkaConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KeelKafka keelKafka(
        ObjectProvider<KafkaProperties> kafkaProperties,
        ObjectProvider<KafkaConnectionDetails> connectionDetails,
        KeelSettings settings) {
      KafkaProperties boot = kafkaProperties.getIfAvailable(KafkaProperties::new);
      return BootKafka.keelKafka(boot, connectionDetails.getIfAvailable(), settings);
    }
  }

  /** The Kafka cluster from {@code keel.kafka.*} alone, when Boot's Kafka is absent. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("org.springframework.boot.kafka.autoconfigure.KafkaProperties")
  @ConditionalOnProperty(prefix = "keel.kafka", name = "bootstrap-servers")
  static class KeelKafkaConfiguration {

    @Bean
    @ConditionalOnMissingBean
    KeelKafka keelKafka(KeelSettings settings) {
      return KeelKafka.from(settings);
    }
  }
}
