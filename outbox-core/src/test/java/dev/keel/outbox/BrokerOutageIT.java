package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The broker goes away for a few seconds mid-run: nothing is lost and the relay recovers alone. */
@KeelTest
class BrokerOutageIT {

  @Test
  void recoversWithoutRestartAndLosesNothing(IsolatedDatabase db) throws Exception {
    try (KafkaBroker broker = KafkaBroker.startEmbedded(Map.of())) {
      broker.createTopic("outage", 3);
      Outbox outbox = Outbox.builder().lanes(8).build();
      Set<UUID> committed = ConcurrentHashMap.newKeySet();
      AtomicInteger retriableErrors = new AtomicInteger();
      AtomicBoolean appending = new AtomicBoolean(true);
      OutboxRelayListener listener =
          new OutboxRelayListener() {
            @Override
            public void onRetriableError(String operation, Throwable error) {
              retriableErrors.incrementAndGet();
            }
          };
      try (OutboxRelay relay =
              OutboxFixture.relay(db.dataSource(), broker)
                  .listener(listener)
                  .producerProperties(
                      Map.of(
                          "bootstrap.servers",
                          broker.bootstrapServers(),
                          "reconnect.backoff.max.ms",
                          500,
                          "max.block.ms",
                          2000))
                  .build();
          TopicReader reader = new TopicReader(broker, "outage")) {
        relay.start();
        Thread appender =
            new Thread(
                () -> {
                  int i = 0;
                  while (appending.get()) {
                    try (Connection c = db.dataSource().getConnection()) {
                      c.setAutoCommit(false);
                      committed.add(
                          outbox.append(c, OutboxFixture.event("outage", "k" + (i++ % 50), "{}")));
                      c.commit();
                      java.util.concurrent.locks.LockSupport.parkNanos(
                          5_000_000); // about 200 appends/s
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }
                });
        appender.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() > 100);
        broker.stop();
        long stoppedAt = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> System.nanoTime() - stoppedAt > 5_000_000_000L);
        int duringOutage = committed.size();
        broker.restart();
        long restartedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> committed.size() > duringOutage + 100);
        appending.set(false);
        appender.join();
        await().atMost(Duration.ofSeconds(60)).until(() -> reader.distinct() >= committed.size());
        Set<UUID> seen = ConcurrentHashMap.newKeySet();
        reader.events().forEach(e -> seen.add(e.id()));
        assertThat(seen).containsAll(committed);
        System.out.printf(
            "broker outage: %d events, ~5 s outage, all published %.1f s after restart%n",
            committed.size(), (System.nanoTime() - restartedAt) / 1e9);
      }
    }
  }
}
