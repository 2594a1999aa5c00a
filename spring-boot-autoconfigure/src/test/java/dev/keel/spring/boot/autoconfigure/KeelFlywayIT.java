package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * With the application's Flyway, Keel's tables are migrated through Flyway in history tables of
 * their own: the application's versions (V1, V2 here) and Keel's (each component from V1) never
 * meet, and Keel's own installer does not run.
 */
@KeelTest
class KeelFlywayIT {

  private static ApplicationContextRunner app(IsolatedDatabase db) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class,
                TransactionAutoConfiguration.class,
                JdbcTemplateAutoConfiguration.class,
                FlywayAutoConfiguration.class,
                KeelSchemaAutoConfiguration.class,
                KeelAutoConfiguration.class,
                KeelOutboxAutoConfiguration.class))
        .withPropertyValues(TransactionalOutboxIT.datasource(db));
  }

  private static List<String> versions(ApplicationContext ctx, String table) {
    return ctx.getBean(JdbcTemplate.class)
        .queryForList(
            "SELECT version FROM "
                + table
                + " WHERE success AND version IS NOT NULL"
                + " AND type <> 'BASELINE' ORDER BY installed_rank",
            String.class);
  }

  private static boolean tableExists(ApplicationContext ctx, String table) {
    return ctx.getBean(JdbcTemplate.class)
            .queryForObject(
                "SELECT count(*) FROM information_schema.tables"
                    + " WHERE table_schema = current_schema() AND table_name = ?",
                Long.class,
                table)
        == 1;
  }

  @Test
  void keelsMigrationsRunThroughFlywayBesideTheApplicationsWithoutColliding(IsolatedDatabase db) {
    app(db)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(versions(ctx, "flyway_schema_history")).containsExactly("1", "2");
              assertThat(versions(ctx, "keel_flyway_outbox")).containsExactly("1", "2", "3", "4");
              assertThat(versions(ctx, "keel_flyway_consumer")).isNotEmpty().startsWith("1");
              assertThat(versions(ctx, "keel_flyway_dlq")).isNotEmpty().startsWith("1");
              assertThat(tableExists(ctx, "keel_outbox")).isTrue();
              assertThat(tableExists(ctx, "keel_consumer_dedupe")).isTrue();
              // Keel's own installer did not run: its version table is not there.
              assertThat(tableExists(ctx, "keel_schema_version")).isFalse();
              assertThat(ctx.getBean(KeelDatabase.class).schemaPolicy())
                  .isEqualTo(SchemaPolicy.NONE);

              // The tables work: an append commits in the application's transaction.
              TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
              new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class))
                  .executeWithoutResult(s -> outbox.append(KeelRelayIT.event("orders", "k-1")));
              assertThat(
                      ctx.getBean(JdbcTemplate.class)
                          .queryForObject("SELECT count(*) FROM keel_outbox", Long.class))
                  .isEqualTo(1);
            });
    // A second start (a redeploy) applies nothing and fails nothing.
    app(db)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(versions(ctx, "flyway_schema_history")).containsExactly("1", "2");
              assertThat(versions(ctx, "keel_flyway_outbox")).containsExactly("1", "2", "3", "4");
            });
  }

  @Test
  void keelFlywayEnabledFalseLeavesKeelsTablesToItsInstaller(IsolatedDatabase db) {
    app(db)
        .withPropertyValues("keel.flyway.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(versions(ctx, "flyway_schema_history")).containsExactly("1", "2");
              assertThat(tableExists(ctx, "keel_flyway_outbox")).isFalse();
              assertThat(tableExists(ctx, "keel_schema_version")).isTrue();
              assertThat(tableExists(ctx, "keel_outbox")).isTrue();
              assertThat(ctx.getBean(KeelDatabase.class).schemaPolicy())
                  .isEqualTo(SchemaPolicy.INSTALL);
            });
  }
}
