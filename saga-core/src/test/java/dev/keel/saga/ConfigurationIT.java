package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetters;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Outbox, relay, consumer runtime, dead letters and a saga orchestrator built from one properties
 * file and the two shared values, moving events end to end on the real broker and PostgreSQL.
 */
@KeelTest
class ConfigurationIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** The saga's data. */
  record Order(String id) {}

  @Test
  void everyComponentFromOnePropertiesFile(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("orders", 2);
    Properties file = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/keel-config-it.properties")) {
      file.load(in);
    }
    file.setProperty("keel.kafka.bootstrap-servers", broker.bootstrapServers());

    KeelSettings settings = KeelSettings.of(file);
    assertThat(settings.unknownKeys()).isEmpty();
    KeelDatabase database = KeelDatabase.from(db.dataSource(), settings);
    KeelKafka kafka = KeelKafka.from(settings);

    Outbox outbox = Outbox.fromProperties(settings).database(database).build();
    Set<UUID> handled = ConcurrentHashMap.newKeySet();
    SagaDefinition<Order> saga =
        SagaDefinition.builder("cfg-order", Order.class)
            .step("book", s -> s.local((tx, d) -> d).noCompensation())
            .build();
    try (OutboxRelay relay =
            OutboxRelay.fromProperties(settings)
                .database(database)
                .kafka(kafka)
                .outbox(outbox)
                .build();
        ConsumerRuntime runtime =
            ConsumerRuntime.fromProperties(settings)
                .database(database)
                .kafka(kafka)
                .listener(
                    ListenerDefinition.builder()
                        .topic(topic)
                        .group("cfg-orders")
                        .payloadType(Map.class)
                        .handler(
                            d -> {
                              if (d.event().key().orElse("").equals("poison")) {
                                throw new NonRetriableKeelException(
                                    FailureClass.VALIDATION, "no such product");
                              }
                              handled.add(d.event().id());
                            })
                        .build())
                .build();
        DeadLetters deadLetters =
            DeadLetters.fromProperties(settings).database(database).kafka(kafka).build();
        SagaOrchestrator orchestrator =
            SagaOrchestrator.fromProperties(settings)
                .database(database)
                .kafka(kafka)
                .outbox(outbox)
                .definition(saga)
                .build()) {
      relay.start();
      runtime.start();
      orchestrator.start();

      UUID good;
      UUID sagaId;
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        good = outbox.append(c, event(topic, "order-1"));
        outbox.append(c, event(topic, "poison"));
        sagaId = orchestrator.start(c, saga, new Order("order-1"));
        c.commit();
      }

      await().atMost(WAIT).until(() -> handled.contains(good));
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(runtime.failure()).isEmpty();
                assertThat(count(db, "SELECT COUNT(*) FROM cfg_dead_letter")).isEqualTo(1);
                assertThat(deadLetters.list(DeadLetterQuery.all())).hasSize(1);
              });
      DeadLetter dead = deadLetters.list(DeadLetterQuery.all()).get(0);
      assertThat(dead.topic()).isEqualTo(topic);
      assertThat(dead.group()).isEqualTo("cfg-orders");
      SagaAdmin admin = SagaAdmin.builder().database(database).build();
      await()
          .atMost(WAIT)
          .until(() -> admin.byId(sagaId).orElseThrow().state() == SagaState.COMPLETED);

      // The relay took the outbox's lanes (8, from keel.outbox.lanes) and its tables (cfg_).
      assertThat(count(db, "SELECT COUNT(*) FROM cfg_outbox_lease")).isEqualTo(8);
      assertThat(count(db, "SELECT COUNT(*) FROM cfg_outbox")).isZero();
    }
  }

  private static Event event(String topic, String key) {
    return Event.builder()
        .type("order.placed")
        .topic(topic)
        .key(key)
        .source("config-it")
        .payload("{\"n\":1}".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static long count(IsolatedDatabase db, String sql) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
