package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.SchemaInstaller;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** A saga admin with a verified identity refuses a caller who claims another one, or none. */
class SagaAdminActorTest {

  @Test
  void aDeclaredActorMustBeTheVerifiedOne() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:saga-admin-actor;DB_CLOSE_DELAY=-1");
    SchemaInstaller installer = SchemaInstaller.builder().dataSource(ds).build();
    installer.install("outbox");
    installer.install("saga");
    AtomicReference<String> session = new AtomicReference<>("ops:alice");
    SagaAdmin admin = SagaAdmin.builder().dataSource(ds).actor(session::get).build();
    UUID missing = UUID.randomUUID();

    assertThatThrownBy(() -> admin.resolve(missing, "mallory", "voided"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("\"mallory\" is not the verified identity \"ops:alice\"");
    // the verified identity itself (declared or not) gets as far as the saga lookup
    assertThatThrownBy(() -> admin.resolve(missing, null, "voided"))
        .isNotInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining(missing.toString());
    session.set(" ");
    assertThatThrownBy(() -> admin.retryCompensation(missing, null, "fixed"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("refusing to act anonymously");
    assertThat(admin.audit(missing)).isEmpty();
  }
}
