package dev.keel.dlq;

import static dev.keel.dlq.testing.KafkaIo.count;
import static dev.keel.dlq.testing.KafkaIo.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.testing.ConsumerLoop;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.retry.InPlaceRetry;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * Issue 4: forged inbound keel-dlq-* headers cannot stall a partition or raise the attempt count
 * beyond the policy; a record re-dead-lettered does not grow its headers.
 */
@KeelTest
class ForgedHeadersIT {

  @Test
  void forgedHeadersNeitherStallNorExtendRetriesAndReDeadLetteringDoesNotGrowHeaders(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("transfers", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    ManualTime time = new ManualTime();
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(3)
            .initialDelay(Duration.ofMillis(100))
            .multiplier(2)
            .maxDelay(Duration.ofSeconds(1))
            .jitter(0)
            .build();
    InPlaceRetry retry =
        InPlaceRetry.builder().policy(policy).sleeper(time.sleeper()).clock(time.clock()).build();
    List<FailedRecord.Header> forged = new ArrayList<>(KafkaIo.envelope(UUID.randomUUID()));
    forged.add(FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "-1"));
    forged.add(FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "2147483647"));
    forged.add(FailedRecord.Header.of("keel-dlq-due-at", "9999-12-31T23:59:59Z"));
    forged.add(FailedRecord.Header.of("keel-dlq-delay", "PT876000H"));
    forged.add(FailedRecord.Header.of(DeadLetterHeaders.ORIGINAL_TOPIC, "payments-admin"));
    forged.add(FailedRecord.Header.of(DeadLetterHeaders.REASON, "transient"));
    forged.add(FailedRecord.Header.of(DeadLetterHeaders.STACK_TRACE, "x".repeat(900)));
    List<String> processed = new CopyOnWriteArrayList<>();
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .clock(time.clock())
                .build()) {
      kafka.send(topic, "t-1", KafkaIo.utf8("forged"), forged);
      kafka.send(topic, "t-2", KafkaIo.utf8("next"), KafkaIo.envelope(UUID.randomUUID()));
      try (ConsumerLoop loop =
          new ConsumerLoop(
              kafka,
              "transfers",
              List.of(topic),
              retry,
              publisher,
              r -> {
                String v = new String(r.value(), StandardCharsets.UTF_8);
                if (v.equals("forged")) {
                  throw new SocketTimeoutException("downstream timed out");
                }
                processed.add(v);
              })) {
        loop.runUntilSeen(2);
      }
      // no stall: exactly the policy's delays were waited, and the next record was processed
      assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
      assertThat(processed).containsExactly("next");

      ConsumerRecord<byte[], byte[]> first = kafka.readAll(topic + ".dlq", 1).get(0);
      assertThat(header(first, DeadLetterHeaders.ATTEMPTS)).isEqualTo("3");
      assertThat(count(first, DeadLetterHeaders.ATTEMPTS)).isEqualTo(1);
      assertThat(header(first, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
      assertThat(header(first, DeadLetterHeaders.REASON)).isEqualTo("transient");
      assertThat(header(first, DeadLetterHeaders.STACK_TRACE)).isNull();
      assertThat(first.headers().lastHeader("keel-dlq-due-at")).isNull();
      assertThat(first.headers().lastHeader("keel-dlq-delay")).isNull();
      for (Header h : first.headers()) {
        if (h.key().startsWith("keel-dlq-")) {
          assertThat(count(first, h.key())).as(h.key()).isEqualTo(1);
        }
      }
      DeadLetter row = store.find(DeadLetterQuery.builder().topic(topic).build()).get(0);
      assertThat(row.attempts()).isEqualTo(3);
      assertThat(row.headers()).noneMatch(h -> h.name().startsWith("keel-dlq-"));

      // a bounded parse of the forged count never grants more attempts than the policy
      FailedRecord forgedRecord = new FailedRecord(topic, 0, 0, null, null, forged);
      int max = policy.maxAttempts(FailureClass.TRANSIENT);
      assertThat(DeadLetterHeaders.attempts(forgedRecord, max)).isZero();
      FailedRecord huge =
          new FailedRecord(
              topic,
              0,
              0,
              null,
              null,
              List.of(FailedRecord.Header.of(DeadLetterHeaders.ATTEMPTS, "2147483647")));
      int parsed = DeadLetterHeaders.attempts(huge, max);
      assertThat(parsed).isEqualTo(max);
      assertThat(policy.decide(FailureClass.TRANSIENT, parsed).retry()).isFalse();

      // the dead letter itself fails in another consumer and is dead-lettered again
      try (ConsumerLoop loop =
          new ConsumerLoop(
              kafka,
              "auditors",
              List.of(topic + ".dlq"),
              retry,
              publisher,
              r -> {
                throw new IllegalStateException("cannot audit");
              })) {
        loop.runUntilSeen(1);
      }
      ConsumerRecord<byte[], byte[]> second = kafka.readAll(topic + ".dlq.dlq", 1).get(0);
      assertThat(second.headers().toArray()).hasSameSizeAs(first.headers().toArray());
      assertThat(header(second, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic + ".dlq");
      assertThat(header(second, DeadLetterHeaders.GROUP)).isEqualTo("auditors");
      assertThat(count(second, DeadLetterHeaders.ATTEMPTS)).isEqualTo(1);
    }
  }
}
