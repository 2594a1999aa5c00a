package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.WithDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * With the application's Liquibase, Keel's tables are created through Liquibase in change-log
 * tables of their own: the application's change sets (app:1, app:2 in {@code DATABASECHANGELOG})
 * and Keel's (one per script, per component) never meet, a second start applies nothing, and Keel's
 * own installer does not run.
 */
@KeelTest
class KeelLiquibaseIT {

  private static ApplicationContextRunner app(IsolatedDatabase db) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class,
                TransactionAutoConfiguration.class,
                JdbcTemplateAutoConfiguration.class,
                LiquibaseAutoConfiguration.class,
                KeelLiquibaseAutoConfiguration.class,
                KeelAutoConfiguration.class,
                KeelOutboxAutoConfiguration.class))
        .withPropertyValues(TransactionalOutboxIT.datasource(db))
        .withPropertyValues("spring.liquibase.change-log=classpath:db/changelog/app.sql");
  }

  @Test
  void postgres(IsolatedDatabase db) {
    keelsChangeSetsRunThroughLiquibaseBesideTheApplicationsWithoutColliding(db);
  }

  @Test
  void mariaDb(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) {
    keelsChangeSetsRunThroughLiquibaseBesideTheApplicationsWithoutColliding(db);
  }

  private void keelsChangeSetsRunThroughLiquibaseBesideTheApplicationsWithoutColliding(
      IsolatedDatabase db) {
    app(db)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ids(ctx, "DATABASECHANGELOG")).containsExactly("1", "2");
              assertThat(ids(ctx, "keel_liquibase_outbox"))
                  .startsWith("V1__outbox.sql")
                  .allMatch(id -> id.startsWith("V"));
              assertThat(ids(ctx, "keel_liquibase_consumer")).isNotEmpty();
              assertThat(ids(ctx, "keel_liquibase_dlq")).isNotEmpty();
              assertThat(exists(ctx, "keel_outbox")).isTrue();
              assertThat(exists(ctx, "keel_consumer_dedupe")).isTrue();
              assertThat(exists(ctx, "keel_schema_version"))
                  .as("Keel's own installer did not run")
                  .isFalse();
              assertThat(ctx.getBean(KeelDatabase.class).schemaPolicy())
                  .isEqualTo(SchemaPolicy.NONE);

              TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
              new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class))
                  .executeWithoutResult(s -> outbox.append(KeelRelayIT.event("orders", "k-1")));
              assertThat(count(ctx, "keel_outbox")).isEqualTo(1);
            });
    List<String>[] before = new List[1];
    app(db)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              before[0] = ids(ctx, "keel_liquibase_outbox");
              assertThat(ids(ctx, "DATABASECHANGELOG")).containsExactly("1", "2");
              assertThat(count(ctx, "keel_outbox")).as("a redeploy keeps the rows").isEqualTo(1);
            });
    assertThat(before[0]).doesNotHaveDuplicates();
  }

  @Test
  void keelLiquibaseEnabledFalseLeavesKeelsTablesToItsInstaller(IsolatedDatabase db) {
    app(db)
        .withPropertyValues("keel.liquibase.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ids(ctx, "DATABASECHANGELOG")).containsExactly("1", "2");
              assertThat(exists(ctx, "keel_liquibase_outbox")).isFalse();
              assertThat(exists(ctx, "keel_schema_version")).isTrue();
              assertThat(ctx.getBean(KeelDatabase.class).schemaPolicy())
                  .isEqualTo(SchemaPolicy.INSTALL);
            });
  }

  private static List<String> ids(ApplicationContext ctx, String table) {
    return ctx.getBean(JdbcTemplate.class)
        .queryForList("SELECT id FROM " + table + " ORDER BY orderexecuted", String.class);
  }

  private static long count(ApplicationContext ctx, String table) {
    return ctx.getBean(JdbcTemplate.class)
        .queryForObject("SELECT count(*) FROM " + table, Long.class);
  }

  private static boolean exists(ApplicationContext ctx, String table) {
    try {
      count(ctx, table);
      return true;
    } catch (DataAccessException e) {
      return false;
    }
  }
}
