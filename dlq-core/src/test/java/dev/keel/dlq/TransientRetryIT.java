package dev.keel.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.testing.ConsumerLoop;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.retry.InPlaceRetry;
import dev.keel.retry.RetryOutcome;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue 4: a transient failure that heals after 2 attempts is processed once, with the delays. */
@KeelTest
class TransientRetryIT {

  @Test
  void transientFailureHealsAndIsProcessedOnceWithTheConfiguredDelays(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("payments", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE effect (event_id varchar(64) NOT NULL, value text NOT NULL)");
    }
    ManualTime time = new ManualTime();
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(5)
            .initialDelay(Duration.ofMillis(200))
            .multiplier(3)
            .maxDelay(Duration.ofSeconds(5))
            .jitter(0)
            .build();
    InPlaceRetry retry =
        InPlaceRetry.builder().policy(policy).sleeper(time.sleeper()).clock(time.clock()).build();
    AtomicInteger calls = new AtomicInteger();
    UUID id = UUID.randomUUID();
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .build()) {
      kafka.send(topic, "p-1", KafkaIo.utf8("{\"amount\":5}"), KafkaIo.envelope(id));
      try (ConsumerLoop loop =
          new ConsumerLoop(
              kafka,
              "billing",
              List.of(topic),
              retry,
              publisher,
              r -> {
                if (calls.incrementAndGet() <= 2) {
                  throw new SocketTimeoutException("database read timed out");
                }
                try (Connection c = db.dataSource().getConnection();
                    PreparedStatement ps =
                        c.prepareStatement("INSERT INTO effect (event_id, value) VALUES (?, ?)")) {
                  ps.setString(1, KafkaIo.header(r, "keel-event-id"));
                  ps.setString(2, new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                  ps.executeUpdate();
                }
              })) {
        loop.runUntilSeen(1);
        assertThat(loop.deadLettered()).isZero();
      }
    }
    assertThat(calls).hasValue(3);
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(600));
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT event_id FROM effect")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(id.toString());
      assertThat(rs.next()).as("processed exactly once").isFalse();
    }
    assertThat(store.find(DeadLetterQuery.all())).isEmpty();
  }

  @Test
  void inPlaceRetryGivesUpAfterMaxAttemptsAndReportsTheFailureTimes() {
    ManualTime time = new ManualTime();
    InPlaceRetry retry =
        InPlaceRetry.builder()
            .policy(
                RetryPolicy.builder()
                    .maxAttempts(3)
                    .initialDelay(Duration.ofSeconds(1))
                    .jitter(0)
                    .build())
            .sleeper(time.sleeper())
            .clock(time.clock())
            .build();
    var start = time.now();
    RetryOutcome<Void> outcome =
        retry.run(
            () -> {
              throw new IllegalStateException("always");
            });
    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.attempts()).isEqualTo(3);
    assertThat(outcome.failureClass()).isEqualTo(dev.keel.event.FailureClass.UNKNOWN);
    assertThat(outcome.firstFailure()).isEqualTo(start);
    assertThat(outcome.lastFailure()).isEqualTo(start.plusSeconds(3));
    assertThat(outcome.toFailure("g").attempts()).isEqualTo(3);
  }
}
