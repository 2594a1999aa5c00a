package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.sql.SqlDialect;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The base auto-configuration: {@link KeelDatabase} and {@link KeelKafka} from Boot's beans. */
class KeelAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(KafkaAutoConfiguration.class, KeelAutoConfiguration.class));

  @Configuration(proxyBeanMethods = false)
  static class H2 {
    @Bean
    DataSource dataSource() {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL("jdbc:h2:mem:keel-base;DB_CLOSE_DELAY=-1");
      return ds;
    }
  }

  @Test
  void keelDatabaseUsesTheApplicationsDataSourceAndKeelDatabaseKeys() {
    runner
        .withUserConfiguration(H2.class)
        .withPropertyValues(
            "keel.database.table-prefix=app_keel_",
            "keel.database.schema-policy=validate",
            "keel.database.dialect=h2")
        .run(
            ctx -> {
              KeelDatabase db = ctx.getBean(KeelDatabase.class);
              assertThat(db.dataSource()).isSameAs(ctx.getBean(DataSource.class));
              assertThat(db.schemaPolicy()).isEqualTo(SchemaPolicy.VALIDATE);
              assertThat(db.dialect()).contains(SqlDialect.H2);
              assertThat(db.tableNames().toString()).contains("app_keel_");
            });
  }

  @Test
  void noDataSourceNoKeelDatabase() {
    runner.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(KeelDatabase.class));
  }

  @Test
  void keelKafkaTakesSpringKafkaWithSecuritySslAndSasl() {
    runner
        .withPropertyValues(
            "spring.kafka.bootstrap-servers=kafka-1:9093,kafka-2:9093",
            "spring.kafka.client-id=orders",
            "spring.kafka.security.protocol=SASL_SSL",
            "spring.kafka.ssl.trust-store-type=PKCS12",
            "spring.kafka.ssl.trust-store-password=trust-secret",
            "spring.kafka.properties.sasl.mechanism=SCRAM-SHA-512",
            "spring.kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
            // client-specific sections are not Keel's: Keel sets its own serializers and acks
            "spring.kafka.producer.acks=0",
            "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.LongSerializer")
        .run(
            ctx -> {
              KeelKafka kafka = ctx.getBean(KeelKafka.class);
              assertThat(kafka.bootstrapServers()).isEqualTo("kafka-1:9093,kafka-2:9093");
              assertThat(kafka.clientIdPrefix()).isEqualTo("orders");
              assertThat(kafka.clientProperties())
                  .containsEntry("security.protocol", "SASL_SSL")
                  .containsEntry("ssl.truststore.type", "PKCS12")
                  .containsEntry("ssl.truststore.password", "trust-secret")
                  .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                  .containsKey("sasl.jaas.config")
                  .doesNotContainKeys("acks", "key.serializer");
              assertThat(kafka.toString()).doesNotContain("trust-secret", "password=\"p\"");
            });
  }

  @Test
  void keelKafkaKeysOverrideSpringKafka() {
    runner
        .withPropertyValues(
            "spring.kafka.bootstrap-servers=boot:9092",
            "spring.kafka.client-id=boot",
            "spring.kafka.properties.security.protocol=SSL",
            "keel.kafka.bootstrap-servers=keel:9092",
            "keel.kafka.client-id-prefix=keel",
            "keel.kafka.properties.security.protocol=SASL_SSL")
        .run(
            ctx -> {
              KeelKafka kafka = ctx.getBean(KeelKafka.class);
              assertThat(kafka.bootstrapServers()).isEqualTo("keel:9092");
              assertThat(kafka.clientIdPrefix()).isEqualTo("keel");
              assertThat(kafka.clientProperties()).containsEntry("security.protocol", "SASL_SSL");
            });
  }

  @Test
  void withoutBootsKafkaSupportKeelKafkaComesFromKeelKafkaKeysAlone() {
    ApplicationContextRunner noBootKafka =
        new ApplicationContextRunner()
            .withClassLoader(new FilteredClassLoader(KafkaProperties.class))
            .withConfiguration(AutoConfigurations.of(KeelAutoConfiguration.class));
    noBootKafka.run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(KeelKafka.class));
    noBootKafka
        .withPropertyValues(
            "keel.kafka.bootstrap-servers=keel:9092", "keel.kafka.properties.acks=all")
        .run(
            ctx -> {
              KeelKafka kafka = ctx.getBean(KeelKafka.class);
              assertThat(kafka.bootstrapServers()).isEqualTo("keel:9092");
              assertThat(kafka.clientProperties()).containsEntry("acks", "all");
            });
  }

  @Test
  void anApplicationsOwnBeansReplaceKeels() {
    KeelKafka own = KeelKafka.builder().bootstrapServers("own:9092").build();
    runner
        .withBean(KeelKafka.class, () -> own)
        .run(ctx -> assertThat(ctx.getBean(KeelKafka.class)).isSameAs(own));
  }
}
