package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.spring.boot.autoconfigure.app.OrderService;
import dev.keel.spring.boot.autoconfigure.app.PurchaseOrder;
import dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link TransactionalOutbox} joins the caller's Spring transaction on the real PostgreSQL: with
 * JPA (Hibernate, {@code JpaTransactionManager}), with {@code JdbcTemplate} on a {@code
 * DataSourceTransactionManager} and with jOOQ on Spring's transaction-aware data source.
 */
@KeelTest
class TransactionalOutboxIT {

  @Configuration(proxyBeanMethods = false)
  @EntityScan(basePackageClasses = PurchaseOrder.class)
  static class JpaApp {
    @Bean
    OrderService orderService(EntityManagerFactory emf, TransactionalOutbox outbox) {
      return new OrderService(emf, outbox);
    }
  }

  private static ApplicationContextRunner jpa(IsolatedDatabase db) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                HibernateJpaAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class,
                TransactionAutoConfiguration.class,
                JdbcTemplateAutoConfiguration.class,
                KeelAutoConfiguration.class,
                KeelOutboxAutoConfiguration.class))
        .withUserConfiguration(JpaApp.class)
        .withPropertyValues(datasource(db))
        .withPropertyValues("spring.jpa.hibernate.ddl-auto=create");
  }

  private static ApplicationContextRunner jdbc(IsolatedDatabase db) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                DataSourceTransactionManagerAutoConfiguration.class,
                TransactionAutoConfiguration.class,
                JdbcTemplateAutoConfiguration.class,
                KeelAutoConfiguration.class,
                KeelOutboxAutoConfiguration.class))
        .withPropertyValues(datasource(db));
  }

  static String[] datasource(IsolatedDatabase db) {
    return new String[] {
      "spring.datasource.url=" + db.jdbcUrl(),
      "spring.datasource.username=" + db.user(),
      "spring.datasource.password=" + db.password()
    };
  }

  private static long events(ApplicationContext ctx, UUID id) {
    return ctx.getBean(JdbcTemplate.class)
        .queryForObject("SELECT count(*) FROM keel_outbox WHERE event_id = ?", Long.class, id);
  }

  private static long orders(ApplicationContext ctx, String id) {
    return ctx.getBean(JdbcTemplate.class)
        .queryForObject("SELECT count(*) FROM purchase_order WHERE id = ?", Long.class, id);
  }

  private static long allEvents(ApplicationContext ctx) {
    return ctx.getBean(JdbcTemplate.class)
        .queryForObject("SELECT count(*) FROM keel_outbox", Long.class);
  }

  @Test
  void aJpaEntityAndItsEventCommitTogether(IsolatedDatabase db) {
    jpa(db)
        .run(
            ctx -> {
              assertThat(ctx.getBean(PlatformTransactionManager.class))
                  .isInstanceOf(JpaTransactionManager.class);
              UUID id = ctx.getBean(OrderService.class).place("o-1", false);
              assertThat(orders(ctx, "o-1")).isEqualTo(1);
              assertThat(events(ctx, id)).isEqualTo(1);
            });
  }

  @Test
  void anExceptionRollsBackTheEntityAndTheEvent(IsolatedDatabase db) {
    jpa(db)
        .run(
            ctx -> {
              assertThatThrownBy(() -> ctx.getBean(OrderService.class).place("o-2", true))
                  .isInstanceOf(IllegalStateException.class);
              assertThat(orders(ctx, "o-2")).isZero();
              assertThat(allEvents(ctx)).isZero();
            });
  }

  @Test
  void setRollbackOnlyLeavesNeither(IsolatedDatabase db) {
    jpa(db)
        .run(
            ctx -> {
              EntityManager em =
                  SharedEntityManagerCreator.createSharedEntityManager(
                      ctx.getBean(EntityManagerFactory.class));
              TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
              AtomicReference<UUID> id = new AtomicReference<>();
              new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class))
                  .executeWithoutResult(
                      status -> {
                        em.persist(new PurchaseOrder("o-3", 7));
                        em.flush();
                        id.set(outbox.append(OrderService.event("o-3")));
                        status.setRollbackOnly();
                      });
              assertThat(orders(ctx, "o-3")).isZero();
              assertThat(events(ctx, id.get())).isZero();
            });
  }

  @Test
  void aRequiresNewInnerTransactionKeepsItsEventWhileTheOuterRollsBack(IsolatedDatabase db) {
    jpa(db)
        .run(
            ctx -> {
              PlatformTransactionManager tm = ctx.getBean(PlatformTransactionManager.class);
              TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
              EntityManager em =
                  SharedEntityManagerCreator.createSharedEntityManager(
                      ctx.getBean(EntityManagerFactory.class));
              TransactionTemplate inner = new TransactionTemplate(tm);
              inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
              AtomicReference<UUID> outerId = new AtomicReference<>();
              AtomicReference<UUID> innerId = new AtomicReference<>();
              assertThatThrownBy(
                      () ->
                          new TransactionTemplate(tm)
                              .executeWithoutResult(
                                  status -> {
                                    em.persist(new PurchaseOrder("o-4", 1));
                                    outerId.set(outbox.append(OrderService.event("o-4")));
                                    innerId.set(
                                        inner.execute(
                                            s -> outbox.append(OrderService.event("audit"))));
                                    throw new IllegalStateException("outer fails");
                                  }))
                  .hasMessage("outer fails");
              assertThat(events(ctx, innerId.get())).isEqualTo(1);
              assertThat(events(ctx, outerId.get())).isZero();
              assertThat(orders(ctx, "o-4")).isZero();
            });
  }

  @Test
  void appendOutsideATransactionIsRefusedAndWritesNothing(IsolatedDatabase db) {
    jdbc(db)
        .run(
            ctx -> {
              TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
              assertThatThrownBy(() -> outbox.append(OrderService.event("o-5")))
                  .isInstanceOf(IllegalTransactionStateException.class)
                  .hasMessageContaining(
                      "TransactionalOutbox.append needs an active Spring" + " transaction");
              // SUPPORTS without a surrounding transaction: synchronization but no transaction.
              TransactionTemplate supports =
                  new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
              supports.setPropagationBehavior(TransactionDefinition.PROPAGATION_SUPPORTS);
              assertThatThrownBy(
                      () ->
                          supports.executeWithoutResult(
                              s -> outbox.append(OrderService.event("o-5"))))
                  .isInstanceOf(IllegalTransactionStateException.class);
              TransactionTemplate readOnly =
                  new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
              readOnly.setReadOnly(true);
              assertThatThrownBy(
                      () ->
                          readOnly.executeWithoutResult(
                              s -> outbox.append(OrderService.event("o-5"))))
                  .isInstanceOf(IllegalTransactionStateException.class)
                  .hasMessageContaining("read-only");
              assertThat(allEvents(ctx)).isZero();
            });
  }

  @Test
  void aTransactionOfAnotherDataSourceIsRefused(IsolatedDatabase db, IsolatedDatabase other) {
    jdbc(db)
        .run(
            ctx -> {
              TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
              TransactionTemplate otherTx =
                  new TransactionTemplate(new DataSourceTransactionManager(other.dataSource()));
              assertThatThrownBy(
                      () ->
                          otherTx.executeWithoutResult(s -> outbox.append(OrderService.event("x"))))
                  .isInstanceOf(IllegalTransactionStateException.class)
                  .hasMessageContaining("no connection of Keel's DataSource");
              assertThat(allEvents(ctx)).isZero();
            });
  }

  @Test
  void jdbcTemplateWritesAndTheEventShareADataSourceTransaction(IsolatedDatabase db) {
    jdbc(db)
        .run(
            ctx -> {
              assertThat(ctx.getBean(PlatformTransactionManager.class))
                  .isInstanceOf(DataSourceTransactionManager.class);
              JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
              jdbc.execute("CREATE TABLE purchase_order (id text PRIMARY KEY, total bigint)");
              TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
              TransactionTemplate tx =
                  new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
              UUID committed =
                  tx.execute(
                      s -> {
                        jdbc.update("INSERT INTO purchase_order VALUES ('j-1', 1)");
                        return outbox.append(OrderService.event("j-1"));
                      });
              AtomicReference<UUID> rolledBack = new AtomicReference<>();
              tx.executeWithoutResult(
                  s -> {
                    jdbc.update("INSERT INTO purchase_order VALUES ('j-2', 2)");
                    rolledBack.set(outbox.append(OrderService.event("j-2")));
                    s.setRollbackOnly();
                  });
              assertThat(orders(ctx, "j-1")).isEqualTo(1);
              assertThat(events(ctx, committed)).isEqualTo(1);
              assertThat(orders(ctx, "j-2")).isZero();
              assertThat(events(ctx, rolledBack.get())).isZero();
            });
  }

  @Test
  void jooqOnSpringsTransactionAwareDataSourceSharesTheTransaction(IsolatedDatabase db) {
    jdbc(db)
        .run(
            ctx -> {
              DSLContext jooq =
                  DSL.using(
                      new TransactionAwareDataSourceProxy(ctx.getBean(DataSource.class)),
                      SQLDialect.POSTGRES);
              jooq.execute("CREATE TABLE purchase_order (id text PRIMARY KEY, total bigint)");
              TransactionalOutbox outbox = ctx.getBean(TransactionalOutbox.class);
              TransactionTemplate tx =
                  new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
              UUID committed =
                  tx.execute(
                      s -> {
                        jooq.execute("INSERT INTO purchase_order VALUES ('q-1', 1)");
                        return outbox.append(OrderService.event("q-1"));
                      });
              AtomicReference<UUID> rolledBack = new AtomicReference<>();
              assertThatThrownBy(
                      () ->
                          tx.executeWithoutResult(
                              s -> {
                                jooq.execute("INSERT INTO purchase_order VALUES ('q-2', 2)");
                                rolledBack.set(outbox.append(OrderService.event("q-2")));
                                throw new IllegalStateException("jOOQ caller fails");
                              }))
                  .hasMessage("jOOQ caller fails");
              assertThat(orders(ctx, "q-1")).isEqualTo(1);
              assertThat(events(ctx, committed)).isEqualTo(1);
              assertThat(orders(ctx, "q-2")).isZero();
              assertThat(events(ctx, rolledBack.get())).isZero();
            });
  }
}
