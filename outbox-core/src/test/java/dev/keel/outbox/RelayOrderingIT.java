package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.outbox.internal.DefaultOutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Three relay instances share the lanes; one of them crashes mid-run. Every event arrives, and each
 * key's events arrive (first occurrences) in append order.
 */
@KeelTest
class RelayOrderingIT {
  private static final int EVENTS = Integer.getInteger("keel.soak.events", 10_000);
  private static final int KEYS = 500;
  private static final int APPENDERS = 4;

  @Test
  void threeInstancesKeepPerKeyOrderAndSurviveACrash(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("ordered", 6);
    Outbox outbox = Outbox.builder().lanes(8).build();
    Set<UUID> committed = ConcurrentHashMap.newKeySet();
    AtomicInteger appended = new AtomicInteger();
    List<OutboxRelay> relays = new ArrayList<>();
    try (TopicReader reader = new TopicReader(broker, topic)) {
      for (int i = 0; i < 3; i++) {
        OutboxRelay r =
            OutboxFixture.relay(db.dataSource(), broker)
                .instanceId("relay-" + i)
                .workers(2)
                .batchSize(200)
                .build();
        r.start();
        relays.add(r);
      }
      ExecutorService pool = Executors.newFixedThreadPool(APPENDERS);
      List<Future<?>> appenders = new ArrayList<>();
      for (int a = 0; a < APPENDERS; a++) {
        int me = a;
        appenders.add(
            pool.submit(
                () -> {
                  Map<Integer, Integer> seq = new HashMap<>();
                  int perAppender = EVENTS / APPENDERS;
                  for (int n = 0; n < perAppender; n += 10) {
                    try (Connection c = db.dataSource().getConnection()) {
                      c.setAutoCommit(false);
                      List<Event> tx = new ArrayList<>();
                      for (int j = 0; j < 10; j++) {
                        int key = ((n + j) * APPENDERS + me) % KEYS;
                        int s = seq.merge(key, 1, Integer::sum) - 1;
                        tx.add(OutboxFixture.event(topic, "key-" + key, key + ":" + s));
                      }
                      committed.addAll(outbox.appendAll(c, tx));
                      c.commit();
                      appended.addAndGet(tx.size());
                    }
                  }
                  return null;
                }));
      }
      await()
          .atMost(Duration.ofSeconds(60 + EVENTS / 1000))
          .until(() -> appended.get() >= EVENTS / 3);
      await().atMost(Duration.ofSeconds(30)).until(() -> !relays.get(1).ownedLanes().isEmpty());
      ((DefaultOutboxRelay) relays.get(1)).simulateCrash();
      for (Future<?> f : appenders) {
        f.get();
      }
      pool.shutdown();
      await()
          .atMost(Duration.ofSeconds(90 + EVENTS / 1000))
          .until(() -> reader.distinct() >= EVENTS);

      assertThat(committed).hasSize(EVENTS);
      Set<UUID> seen = new HashSet<>();
      Map<String, Integer> next = new HashMap<>();
      List<String> violations = new ArrayList<>();
      int duplicates = 0;
      for (Event e : reader.events()) {
        if (!seen.add(e.id())) {
          duplicates++;
          continue;
        }
        String[] parts = new String(e.payload(), StandardCharsets.UTF_8).split(":");
        int expected = next.getOrDefault(parts[0], 0);
        if (Integer.parseInt(parts[1]) != expected) {
          violations.add("key " + parts[0] + " expected seq " + expected + " got " + parts[1]);
        }
        next.put(parts[0], Integer.parseInt(parts[1]) + 1);
      }
      assertThat(seen).isEqualTo(committed);
      assertThat(violations).isEmpty();
      // Only the crashed instance's in-flight batches may be published twice.
      assertThat(duplicates).isLessThanOrEqualTo(2 * 200 * 2);
      System.out.printf(
          "relay ordering: %d events, %d keys, 1 crash, %d raw duplicates, 0 order violations%n",
          EVENTS, KEYS, duplicates);
    } finally {
      for (OutboxRelay r : relays) {
        r.close();
      }
    }
  }
}
