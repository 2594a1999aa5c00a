package dev.keel.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Scenario 4. One business transaction in ten rolls back after appending its events: none of those
 * events reaches Kafka or a consumer, and every committed one does.
 */
@KeelTest
class RolledBackIT {
  private static final int EVENTS = Scale.of("rollback.events", 5_000, 200_000);

  @Test
  void rolledBackEventsNeverReachKafka(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("rollback", 4);
    try (Pipeline p = new Pipeline(broker, topic, db)) {
      p.startRelay();
      p.startConsumer();
      Workload load = new Workload(p, db.dataSource(), EVENTS, 1_000, 4, 0.10, 0).start();
      load.join();
      boolean delivered = p.awaitDelivered(Duration.ofSeconds(60 + EVENTS / 500));
      DeliveryReport report = p.check();
      new Figures("4 rolled-back business transactions")
          .add("events appended", load.attempted())
          .add("rollback rate", "10 %")
          .add("all delivered", delivered)
          .print(report);
      assertThat(report.ok()).as(report.toString()).isTrue();
      assertThat(report.abortedReads()).isEmpty();
      assertThat(report.rolledBack()).isBetween(EVENTS / 20, EVENTS / 5);
      assertThat(report.committed() + report.rolledBack()).isEqualTo(EVENTS);
    }
  }
}
