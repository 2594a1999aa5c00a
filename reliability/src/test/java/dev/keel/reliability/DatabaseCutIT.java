package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.test.Database;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Scenario 3. The relay and the consumer reach PostgreSQL through a TCP proxy that resets all their
 * connections several times, and PostgreSQL itself is stopped and started again mid-run. Nothing is
 * lost, and no event exists in Kafka or in the effect table without its business row.
 */
@KeelTest
class DatabaseCutIT {
  private static final int EVENTS = Scale.of("dbcut.events", 4_000, 100_000);
  private static final int RATE = Scale.of("dbcut.rate", 800, 2_000);
  private static final int CUTS = Scale.of("dbcut.cuts", 3, 20);

  @Test
  void connectionResetsAndRestartLoseNothing(KafkaBroker broker, Topics topics) throws Exception {
    String topic = topics.create("dbcut", 3);
    try (Database pg = Database.embeddedPostgres(Map.of());
        IsolatedDatabase db = pg.createIsolated("dbcut")) {
      URI direct = URI.create(db.jdbcUrl().substring("jdbc:".length()));
      try (TcpProxy proxy = new TcpProxy(direct.getHost(), direct.getPort());
          Pipeline p = new Pipeline(broker, topic, db)) {
        p.componentJdbcUrl =
            db.jdbcUrl().replace(":" + direct.getPort() + "/", ":" + proxy.port() + "/");
        p.startRelay();
        p.startConsumer();
        Workload load = new Workload(p, db.dataSource(), EVENTS, 500, 2, 0.0, RATE).start();
        long cut = 0;
        double restartRecovery = -1;
        for (int i = 0; i < CUTS; i++) {
          Thread.sleep(EVENTS * 1000L / RATE / (CUTS + 3)); // pacing of the faults
          cut += proxy.resetAll();
          if (i == CUTS / 2) {
            long before = p.committedCount();
            pg.stop();
            Thread.sleep(2_000);
            pg.restart();
            long back = System.nanoTime();
            await()
                .atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> p.distinctEffects() >= before && p.logDistinct() >= before);
            restartRecovery = (System.nanoTime() - back) / 1e9;
          }
        }
        load.join();
        boolean delivered = p.awaitDelivered(Duration.ofSeconds(90));
        AtomicReference<DeliveryReport> report = new AtomicReference<>();
        // the first query after the restart may meet a connection that died with the server
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(
                () -> {
                  report.set(p.check());
                  return true;
                });
        DeliveryReport r = report.get();
        new Figures("3 database connections cut, PostgreSQL restarted")
            .add("events attempted", load.attempted())
            .add("business transactions failed by the faults", load.failures())
            .add("connection resets (relay and consumer)", cut)
            .add("PostgreSQL restarts", 1)
            .add("time to recover after restart s", restartRecovery)
            .add("all delivered", delivered)
            .print(r);
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(r.unexpected()).as("events without their business row").isEmpty();
        assertThat(cut).isPositive();
      }
    }
  }
}
