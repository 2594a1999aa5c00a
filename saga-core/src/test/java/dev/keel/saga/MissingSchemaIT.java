package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.MissingSchemaException;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.outbox.Outbox;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import org.junit.jupiter.api.Test;

/**
 * Under schema policy {@code NONE}, an orchestrator started before anyone installed the saga tables
 * stops at start with a configuration error naming the table and how to install it, instead of
 * failing every saga later; so does its reply consumer without the consumer tables.
 */
@KeelTest
class MissingSchemaIT {
  record Data(String id) {}

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
    Outbox outbox = Outbox.builder().database(none).build();
    SagaDefinition<Data> local =
        SagaDefinition.builder("local-only", Data.class)
            .step("note", s -> s.local((tx, d) -> d).localCompensation((tx, d) -> d))
            .build();

    try (SagaOrchestrator o =
        SagaOrchestrator.builder().database(none).outbox(outbox).definition(local).build()) {
      assertThatThrownBy(o::start)
          .isInstanceOf(MissingSchemaException.class)
          .isInstanceOf(NonRetriableKeelException.class)
          .hasMessageContainingAll(
              "keel_saga", "does not exist", "KeelDatabase.install(\"saga\")", "keel/sql/");
    }

    assertThat(none.install("saga")).isNotEmpty();
    try (SagaOrchestrator o =
        SagaOrchestrator.builder().database(none).outbox(outbox).definition(local).build()) {
      o.start();
    }

    // a definition with replies starts a reply consumer, whose tables are checked too
    SagaDefinition<Data> withReplies =
        SagaDefinition.builder("with-replies", Data.class)
            .replyTopic(topics.create("replies", 1))
            .step("ask", s -> s.command("cmds", "ask", d -> d).onReply("answered").noCompensation())
            .build();
    try (SagaOrchestrator o =
        SagaOrchestrator.builder()
            .database(none)
            .kafka(kafka)
            .outbox(outbox)
            .definition(withReplies)
            .build()) {
      assertThatThrownBy(o::start)
          .isInstanceOf(MissingSchemaException.class)
          .hasMessageContainingAll("keel_consumer_dedupe", "KeelDatabase.install(\"consumer\")");
    }
  }
}
