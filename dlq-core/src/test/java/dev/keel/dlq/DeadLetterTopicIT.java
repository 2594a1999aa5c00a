package dev.keel.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.dlq.testing.KafkaIo;
import dev.keel.event.FailureClass;
import dev.keel.event.RetriableKeelException;
import dev.keel.retry.Failure;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter topic as found: with fewer partitions than the source it is warned about and
 * used; missing while topic creation is off, publishing fails with an error that names the topic.
 */
@KeelTest
class DeadLetterTopicIT {

  private static FailedRecord record(String topic, int partition, long offset) {
    return new FailedRecord(
        topic,
        partition,
        offset,
        KafkaIo.utf8("k-" + offset),
        KafkaIo.utf8("{}"),
        KafkaIo.envelope(UUID.randomUUID()));
  }

  private static Failure failure() {
    return Failure.once(
        "audit", FailureClass.BUSINESS, new IllegalStateException("rejected"), Instant.now());
  }

  private static void createTopic(KafkaBroker broker, String name, int partitions)
      throws Exception {
    try (Admin admin = Admin.create(broker.clientProperties())) {
      admin
          .createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty())))
          .all()
          .get();
    }
  }

  @Test
  void aDeadLetterTopicWithFewerPartitionsIsWarnedAboutAndStillUsed(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("ledgers", 3);
    String dlq = DeadLetterPublisher.dlqTopic(topic);
    createTopic(broker, dlq, 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .build()) {
      publisher.publish(record(topic, 2, 5), failure());
      publisher.publish(record(topic, 1, 6), failure());
      List<ConsumerRecord<byte[], byte[]>> out = kafka.readAll(dlq, 2);
      assertThat(out).hasSize(2).allSatisfy(r -> assertThat(r.partition()).isZero());
      assertThat(store.find(DeadLetterQuery.builder().topic(topic).build())).hasSize(2);
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("Dead-letter topic " + dlq + " has 1 partitions, fewer than 3");
    // checked once per topic and instance, not per record
    assertThat(log.split("fewer than 3", -1)).hasSize(2);
    try (Admin admin = Admin.create(broker.clientProperties())) {
      assertThat(admin.describeTopics(List.of(dlq)).allTopicNames().get().get(dlq).partitions())
          .as("left as found")
          .hasSize(1);
    }
  }

  @Test
  void aMissingDeadLetterTopicWithCreationOffFailsWithAClearError(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("settlements", 2);
    String dlq = DeadLetterPublisher.dlqTopic(topic);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    try (DeadLetterPublisher publisher =
        DeadLetterPublisher.builder()
            .kafka(Map.copyOf(broker.clientProperties()))
            .store(store)
            .createTopics(false)
            .build()) {
      assertThatThrownBy(() -> publisher.publish(record(topic, 0, 1), failure()))
          .isInstanceOf(RetriableKeelException.class)
          .hasMessageContaining("Topic " + dlq + " does not exist")
          .hasMessageContaining("createTopics(false)")
          .hasMessageContaining("at least 2 partitions");
      assertThat(store.find(DeadLetterQuery.all())).isEmpty();
      try (Admin admin = Admin.create(broker.clientProperties())) {
        assertThat(admin.listTopics().names().get()).doesNotContain(dlq);
      }

      // once an operator creates it, the same publisher goes on
      createTopic(broker, dlq, 2);
      DeadLetter d = publisher.publish(record(topic, 0, 1), failure());
      assertThat(d.topic()).isEqualTo(topic);
      assertThat(store.find(DeadLetterQuery.all())).hasSize(1);
    }
  }

  /** Writes to the real stream and keeps a copy. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}
