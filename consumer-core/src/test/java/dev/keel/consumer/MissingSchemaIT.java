package dev.keel.consumer;

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
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import org.junit.jupiter.api.Test;

/**
 * Under schema policy {@code NONE}, a runtime started before anyone installed its tables stops at
 * start with a configuration error naming the table and how to install it, instead of starting and
 * failing every record as a retriable error.
 */
@KeelTest
class MissingSchemaIT {

  @Test
  void postgres(KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    check(broker, topics, db);
  }

  @Test
  void h2(KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.H2) IsolatedDatabase db) {
    check(broker, topics, db);
  }

  @Test
  void mariaDb(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) {
    check(broker, topics, db);
  }

  private void check(KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    KeelDatabase none =
        KeelDatabase.builder().dataSource(db.dataSource()).schemaPolicy(SchemaPolicy.NONE).build();
    KeelKafka kafka = KeelKafka.builder().properties(broker.clientProperties()).build();
    ListenerDefinition listener =
        ListenerDefinition.builder()
            .topic(topics.create("orders", 1))
            .group("billing")
            .handler(d -> {})
            .build();

    try (ConsumerRuntime runtime =
        ConsumerRuntime.builder().database(none).kafka(kafka).listener(listener).build()) {
      assertThatThrownBy(runtime::start)
          .isInstanceOf(MissingSchemaException.class)
          .isInstanceOf(NonRetriableKeelException.class)
          .hasMessageContainingAll(
              "keel_consumer_dedupe",
              "does not exist",
              "KeelDatabase.install(\"consumer\")",
              "keel/sql/");
    }

    // the dedupe table alone is not enough: the runtime's own dead-letter publisher needs dlq's
    assertThat(none.install("consumer")).isNotEmpty();
    try (ConsumerRuntime runtime =
        ConsumerRuntime.builder().database(none).kafka(kafka).listener(listener).build()) {
      assertThatThrownBy(runtime::start)
          .isInstanceOf(MissingSchemaException.class)
          .hasMessageContainingAll("keel_dead_letter", "KeelDatabase.install(\"dlq\")");
    }

    // installed: the same runtime starts under NONE
    assertThat(none.install("dlq")).isNotEmpty();
    try (ConsumerRuntime runtime =
        ConsumerRuntime.builder().database(none).kafka(kafka).listener(listener).build()) {
      runtime.start();
    }
  }
}
