package dev.keel.outbox;

import static dev.keel.outbox.OutboxFixture.event;
import static dev.keel.outbox.OutboxFixture.inTx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.EventHeaders;
import dev.keel.event.UnknownContractVersionException;
import dev.keel.event.contract.EventContract;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.sql.KeelSql;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@KeelTest
class OutboxRelayIT {

  @Test
  void publishesCommittedAndNothingRolledBack(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("orders", 4);
    publishesCommittedAndNothingRolledBack(broker, topic, db);
  }

  @Test
  void mariaDbPublishesCommittedAndNothingRolledBack(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    publishesCommittedAndNothingRolledBack(broker, topics.create("orders", 4), db);
  }

  @Test
  void h2PublishesCommittedAndNothingRolledBack(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.H2) IsolatedDatabase db)
      throws Exception {
    publishesCommittedAndNothingRolledBack(broker, topics.create("orders", 4), db);
  }

  private void publishesCommittedAndNothingRolledBack(
      KafkaBroker broker, String topic, IsolatedDatabase db) throws Exception {
    Outbox outbox = Outbox.builder().lanes(8).build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Set<UUID> committed = new HashSet<>();
    Set<UUID> rolledBack = new HashSet<>();
    try (OutboxRelay relay =
            OutboxFixture.relay(db.dataSource(), broker).meterRegistry(meters).build();
        TopicReader reader = new TopicReader(broker, topic)) {
      relay.start();
      for (int i = 0; i < 300; i++) {
        boolean commit = i % 10 != 3;
        try (Connection c = db.dataSource().getConnection()) {
          c.setAutoCommit(false);
          List<Event> batch =
              List.of(
                  event(topic, "k" + (i % 40), "{\"i\":" + i + "}"),
                  event(topic, "k" + ((i + 7) % 40), "{\"i\":" + i + "}"));
          List<UUID> ids =
              i % 2 == 0
                  ? outbox.appendAll(c, batch)
                  : List.of(
                      outbox.append(c, batch.get(0)),
                      JooqOutbox.append(outbox, KeelSql.using(c, dialect(db)), batch.get(1)));
          if (commit) {
            c.commit();
            committed.addAll(ids);
          } else {
            c.rollback();
            rolledBack.addAll(ids);
          }
        }
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> reader.distinct() >= committed.size());
      // Give a rolled-back event every chance to show up before checking that none did.
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> reader.distinct() == committed.size());
      Set<UUID> seen = new HashSet<>();
      reader.events().forEach(e -> seen.add(e.id()));
      assertThat(seen).isEqualTo(committed);
      assertThat(seen).doesNotContainAnyElementsOf(rolledBack);
      Event first = reader.events().get(0);
      assertThat(first.source()).isEqualTo("test");
      assertThat(first.type()).isEqualTo("order.placed");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> meters.get("keel.outbox.published").counter().count() >= committed.size());
      assertThat(
              OutboxAdmin.create(db.dataSource(), dev.keel.event.sql.TableNames.defaults())
                  .pending())
          .isZero();
    }
  }

  private static SqlDialect dialect(IsolatedDatabase db) {
    return SqlDialect.detect(db.dataSource());
  }

  @Test
  void badInputFailsAtAppendAndLeavesTheTransactionToTheCaller(IsolatedDatabase db)
      throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    EventContracts contracts =
        EventContracts.builder()
            .register(EventContract.builder("order.placed", 1).owner("orders").build())
            .build();
    Outbox outbox =
        Outbox.builder().maxPayloadBytes(64).requireKey("orders").contracts(contracts).build();
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("create table business(id int primary key)");
        st.execute("insert into business values (1)");
      }
      assertThatThrownBy(() -> outbox.append(c, event("orders", "k", "x".repeat(65))))
          .isInstanceOf(InvalidEventException.class)
          .hasMessageContaining("over the limit of 64");
      assertThatThrownBy(() -> outbox.append(c, event("orders", null, "{}")))
          .isInstanceOf(InvalidEventException.class)
          .hasMessageContaining("declared keyed");
      Event v2 = event("orders", "k", "{}").toBuilder().contractVersion(2).build();
      assertThatThrownBy(() -> outbox.append(c, v2))
          .isInstanceOf(UnknownContractVersionException.class)
          .hasMessageContaining("version 2");
      assertThatThrownBy(() -> outbox.appendAll(c, List.of(event("orders", "k", "{}"), v2)))
          .isInstanceOf(UnknownContractVersionException.class);
      outbox.append(c, event("orders", "k", "{}"));
      c.commit();
    }
    assertThat(
            OutboxAdmin.create(db.dataSource(), dev.keel.event.sql.TableNames.defaults()).pending())
        .isEqualTo(1);
  }

  @Test
  void carriesTraceContextAndHeaders(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("traced", 1);
    String tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    Event e =
        event(topic, "k", "{}").toBuilder()
            .traceParent(tp)
            .header("tenant", "acme")
            .contractVersion(3)
            .build();
    try (OutboxRelay relay = OutboxFixture.relay(db.dataSource(), broker).build();
        TopicReader reader = new TopicReader(broker, topic)) {
      relay.start();
      inTx(db.dataSource(), c -> Outbox.builder().lanes(8).build().append(c, e));
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 1);
      Event got = reader.events().get(0);
      assertThat(got).isEqualTo(e);
      assertThat(got.traceParent()).contains(tp);
      assertThat(got.headers())
          .containsEntry("tenant", "acme")
          .doesNotContainKey(EventHeaders.EVENT_ID);
    }
  }

  @Test
  void markPublishedKeepsRowsInThePublishedTable(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("marked", 2);
    List<UUID> ids = new ArrayList<>();
    try (OutboxRelay relay =
            OutboxFixture.relay(db.dataSource(), broker).markPublished(Duration.ofDays(1)).build();
        TopicReader reader = new TopicReader(broker, topic)) {
      relay.start();
      inTx(
          db.dataSource(),
          c -> {
            for (int i = 0; i < 20; i++) {
              ids.add(Outbox.builder().lanes(8).build().append(c, event(topic, "k" + i, "{}")));
            }
          });
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 20);
    }
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        var rs = st.executeQuery("select count(*) from keel_outbox_published")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(20);
    }
  }

  @Test
  void wakesUpOnNotifyWithoutPolling(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("notify", 1);
    // Polling once an hour: only a LISTEN/NOTIFY wake-up can publish within the test's timeout.
    try (OutboxRelay relay =
            OutboxFixture.relay(db.dataSource(), broker).pollInterval(Duration.ofHours(1)).build();
        TopicReader reader = new TopicReader(broker, topic)) {
      relay.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.ownedLanes().size() == 8);
      for (int i = 0; i < 5; i++) {
        int n = i;
        inTx(
            db.dataSource(),
            c -> Outbox.builder().lanes(8).build().append(c, event(topic, "k" + n, "{}")));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> reader.distinct() == 5);
    }
  }
}
