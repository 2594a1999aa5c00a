package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.test.Database;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL is stopped mid-run and started again: the relay backs off, then recovers by itself.
 */
@KeelTest
class DatabaseOutageIT {

  @Test
  void relayRecoversAfterPostgresRestarts(KafkaBroker broker, Topics topics) throws Exception {
    String topic = topics.create("dbdown", 2);
    Outbox outbox = Outbox.builder().lanes(8).build();
    Set<UUID> committed = new HashSet<>();
    AtomicInteger retriable = new AtomicInteger();
    try (Database pg = Database.embeddedPostgres(Map.of());
        IsolatedDatabase db = pg.createIsolated("dbdown");
        TopicReader reader = new TopicReader(broker, topic)) {
      OutboxRelay relay =
          OutboxFixture.relay(db.dataSource(), broker)
              .listener(
                  new OutboxRelayListener() {
                    @Override
                    public void onRetriableError(String operation, Throwable error) {
                      retriable.incrementAndGet();
                    }
                  })
              .build();
      try (relay) {
        relay.start();
        append(db, outbox, topic, committed, 0, 100);
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 100);
        pg.stop();
        await().atMost(Duration.ofSeconds(60)).until(() -> retriable.get() > 0);
        pg.restart();
        append(db, outbox, topic, committed, 100, 100);
        await().atMost(Duration.ofSeconds(60)).until(() -> reader.distinct() == 200);
      }
      Set<UUID> seen = new HashSet<>();
      reader.events().forEach(e -> seen.add(e.id()));
      assertThat(seen).isEqualTo(committed);
    }
  }

  private static void append(
      IsolatedDatabase db, Outbox outbox, String topic, Set<UUID> ids, int from, int n)
      throws Exception {
    // Right after a restart the pool may hand out a connection that died with the old server.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              OutboxFixture.inTx(
                  db.dataSource(),
                  c -> {
                    for (int i = from; i < from + n; i++) {
                      ids.add(outbox.append(c, OutboxFixture.event(topic, "k" + (i % 20), "{}")));
                    }
                  });
              return true;
            });
  }
}
