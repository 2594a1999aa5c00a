package dev.keel.outbox;

import static dev.keel.outbox.OutboxFixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.MissingSchemaException;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.WithDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * Appending or starting before anyone installed the schema fails with a configuration error that
 * names the table and how to install it, never with a retriable error.
 */
@KeelTest
class MissingSchemaIT {

  @Test
  void postgres(KafkaBroker broker, IsolatedDatabase db) throws Exception {
    check(broker, db);
  }

  @Test
  void h2(KafkaBroker broker, @WithDatabase(DatabaseKind.H2) IsolatedDatabase db) throws Exception {
    check(broker, db);
  }

  @Test
  void mariaDb(KafkaBroker broker, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    check(broker, db);
  }

  private void check(KafkaBroker broker, IsolatedDatabase db) throws Exception {
    KeelDatabase none =
        KeelDatabase.builder().dataSource(db.dataSource()).schemaPolicy(SchemaPolicy.NONE).build();
    Outbox outbox = Outbox.builder().database(none).build();
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> outbox.append(c, event("orders", "k", "{}")))
          .isInstanceOf(MissingSchemaException.class)
          .isInstanceOf(NonRetriableKeelException.class)
          .hasMessageContainingAll(
              "keel_outbox", "does not exist", "KeelDatabase.install(\"outbox\")", "keel/sql/");
      c.rollback();
    }
    KeelKafka kafka = KeelKafka.builder().properties(broker.clientProperties()).build();
    try (OutboxRelay relay =
        OutboxRelay.builder().database(none).kafka(kafka).outbox(outbox).build()) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(MissingSchemaException.class)
          .hasMessageContaining("keel_outbox_lease")
          .hasMessageContaining("KeelDatabase.install(\"outbox\")");
    }
    KeelDatabase validate = none.toBuilder().schemaPolicy(SchemaPolicy.VALIDATE).build();
    try (OutboxRelay relay =
        OutboxRelay.builder().database(validate).kafka(kafka).outbox(outbox).build()) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(MissingSchemaException.class)
          .hasMessageContaining("schema-policy=VALIDATE")
          .hasMessageContaining("V1__");
    }
    // The explicit step installs; then VALIDATE passes and the append goes through.
    assertThat(none.install("outbox")).isNotEmpty();
    assertThat(none.install("outbox")).isEmpty();
    validate.prepare("outbox");
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      outbox.append(c, event("orders", "k", "{}"));
      c.commit();
    }
  }
}
