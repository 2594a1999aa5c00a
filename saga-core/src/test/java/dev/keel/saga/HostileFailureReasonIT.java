package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.retry.RetryPolicy;
import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 2, sagas: a failure reason holding U+0000, other control characters, lone
 * surrogates or invalid UTF-8 (which PostgreSQL text and jsonb refuse) neither wedges the
 * participant's reply nor the orchestrator's reply handling: the saga compensates at once, with the
 * reason cleaned in its step log. Reasons are generated from a fixed, printed seed.
 */
@KeelTest
class HostileFailureReasonIT {

  private static String randomReason(Random random) {
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(700);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(6)) {
        case 0 -> b.append('\u0000');
        case 1 -> b.append((char) random.nextInt(0x20));
        case 2 -> b.append(random.nextBoolean() ? '\ud800' : '\udc00'); // a lone surrogate
        case 3 -> b.append("\ud83d\ude00"); // a pair, maybe at the 500-char cut
        default -> b.append((char) ('a' + random.nextInt(26)));
      }
    }
    return b.toString();
  }

  @Test
  void participantFailureReasonsWithNulAndControlsCompensateTheSaga(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    long seed = Long.getLong("keel.fuzz.seed", 20_261_206L);
    System.out.println("HostileFailureReasonIT seed " + seed + " (-Dkeel.fuzz.seed to rerun)");
    Random random = new Random(seed);
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      Map<String, String> reasons = new HashMap<>();
      reasons.put("o-nul", "no carrier \u0000 for \u0001 this\n order \ud800");
      for (int i = 0; i < 6; i++) {
        reasons.put("o-fuzz-" + i, randomReason(random));
      }
      f.script.refusalReasons.putAll(reasons);
      f.startServices();
      SagaDefinition<OrderData> def = f.definition();
      SagaOrchestrator o = f.started(f.orchestrator(def, Clock.systemUTC()));
      Map<String, UUID> ids = new HashMap<>();
      for (String order : reasons.keySet()) {
        ids.put(order, f.start(o, def, order));
      }
      for (Map.Entry<String, UUID> e : ids.entrySet()) {
        SagaView done = SagaLifecycleIT.awaitTerminal(o, e.getValue());
        assertThat(done.state())
            .as("seed %d, %s", seed, e.getKey())
            .isEqualTo(SagaState.COMPENSATED);
        assertThat(SagaFixture.kinds(done))
            .as("seed %d, %s: failed by its reply, not by a timeout", seed, e.getKey())
            .contains("ACTION_FAILED:create-shipment")
            .doesNotContain("TIMED_OUT:create-shipment");
        assertThat(done.failureReason()).doesNotContain("\u0000").contains("shipment.refused");
      }
      SagaView nul = o.admin().byId(ids.get("o-nul")).orElseThrow();
      assertThat(nul.failureReason()).contains("no carrier", "for", "this", "order");
    }
  }

  @Test
  void aHostileReplyFromAParticipantWrittenWithoutKeelIsAppliedAtOnce(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      f.startServices();
      // shipping commands go to a topic no participant reads: this test answers them by hand
      String manual = topics.create("manual-shipping", 1);
      SagaDefinition<OrderData> def =
          SagaFixture.definition(
              f.inventory,
              f.payments,
              manual,
              f.replies,
              f.outcomes,
              FailurePolicy.compensate(),
              f.payments,
              step -> {});
      SagaOrchestrator o = f.started(f.orchestrator(def, Clock.systemUTC()));
      UUID id = f.start(o, def, "o-raw");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  o.admin().byId(id).orElseThrow().log().stream()
                      .anyMatch(
                          e ->
                              e.kind() == StepLogKind.COMMAND_SENT
                                  && "create-shipment".equals(e.step())));
      // a participant written without Keel answers as the step's contract says: it echoes the
      // command's id and names itself as the participant
      String commandId = commandId(f, manual);
      RecordHeaders h = new RecordHeaders();
      add(h, "keel-event-id", UUID.randomUUID().toString());
      add(h, "keel-event-type", "shipment.refused");
      add(h, "keel-contract-version", "1");
      add(h, "keel-occurred-at", Instant.now().toString());
      add(h, "keel-source", SagaFixture.PARTICIPANT);
      add(h, SagaHeaders.COMMAND_ID, commandId);
      add(h, SagaHeaders.SAGA_ID, id.toString());
      add(h, SagaHeaders.SAGA_STEP, "create-shipment");
      add(h, SagaHeaders.KIND, SagaHeaders.KIND_ACTION);
      add(h, SagaHeaders.ATTEMPT, "1");
      add(h, SagaHeaders.OUTCOME, "failure");
      add(h, SagaHeaders.FAILURE_CLASS, FailureClass.BUSINESS.name());
      h.add(
          SagaHeaders.FAILURE_REASON,
          new byte[] {'n', 'o', 0x00, 'c', 'a', 'r', 0x01, (byte) 0xc3, 0x28, 'r'});
      try (KafkaProducer<byte[], byte[]> p =
          new KafkaProducer<>(
              f.broker.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
        p.send(
                new ProducerRecord<>(
                    f.replies, null, "o-raw".getBytes(StandardCharsets.UTF_8), "{}".getBytes(), h))
            .get();
      }
      SagaView done = SagaLifecycleIT.awaitTerminal(o, id);
      assertThat(done.state()).isEqualTo(SagaState.COMPENSATED);
      List<String> kinds = SagaFixture.kinds(done);
      assertThat(kinds)
          .contains("ACTION_FAILED:create-shipment")
          .doesNotContain("TIMED_OUT:create-shipment");
      assertThat(done.failureReason()).contains("shipment.refused").doesNotContain("\u0000");
    }
  }

  @Test
  void fuzzedRepliesAreEachHandledOrDeadLetteredAndTheReplyPartitionsMoveOn(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    long base = Long.getLong("keel.fuzz.seed", 20_261_206L);
    long seed = base + 1;
    System.out.println(
        "HostileFailureReasonIT seed " + seed + " (rerun with -Dkeel.fuzz.seed=" + base + ")");
    Random random = new Random(seed);
    try (SagaFixture f = new SagaFixture(broker, topics, db)) {
      f.startServices();
      String manual = topics.create("manual-shipping", 1);
      SagaDefinition<OrderData> def =
          SagaFixture.definition(
              f.inventory,
              f.payments,
              manual,
              f.replies,
              f.outcomes,
              FailurePolicy.compensate(),
              f.payments,
              step -> {});
      String group = "orchestrator-fuzz-" + UUID.randomUUID();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      SagaOrchestrator o =
          f.started(
              f.orchestrator(def, Clock.systemUTC())
                  .group(group)
                  .consumerRuntime(
                      b ->
                          b.pollTimeout(Duration.ofMillis(50))
                              .closeTimeout(Duration.ofSeconds(10))
                              .retryPolicy(
                                  RetryPolicy.builder()
                                      .maxAttempts(2)
                                      .initialDelay(Duration.ofMillis(5))
                                      .maxDelay(Duration.ofMillis(10))
                                      .build())
                              .meterRegistry(meters)));
      UUID id = f.start(o, def, "o-fuzz");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  o.admin().byId(id).orElseThrow().log().stream()
                      .anyMatch(
                          e ->
                              e.kind() == StepLogKind.COMMAND_SENT
                                  && "create-shipment".equals(e.step())));
      long before = endOffsets(f, 2);
      String commandId = commandId(f, manual);
      int sent = 60;
      try (KafkaProducer<byte[], byte[]> p =
          new KafkaProducer<>(
              f.broker.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < sent; i++) {
          RecordHeaders h = new RecordHeaders();
          boolean envelope = random.nextInt(5) > 0;
          // some answer the command actually sent, as its participant (with a hostile reason);
          // the rest are refused: no command id, or not from the step's participant
          boolean genuine = envelope && random.nextInt(3) == 0;
          if (envelope) {
            add(h, "keel-event-id", UUID.randomUUID().toString());
            add(
                h,
                "keel-event-type",
                genuine || random.nextBoolean() ? "shipment.refused" : "shipment.created");
            add(h, "keel-contract-version", "1");
            add(h, "keel-occurred-at", Instant.now().toString());
            add(h, "keel-source", genuine ? SagaFixture.PARTICIPANT : "legacy\u0000shipping");
            if (genuine || random.nextBoolean()) {
              add(h, SagaHeaders.COMMAND_ID, commandId);
            }
          }
          h.add(
              SagaHeaders.SAGA_ID,
              genuine || random.nextInt(3) > 0 ? utf8(id.toString()) : bytes(random));
          h.add(
              SagaHeaders.SAGA_STEP,
              genuine || random.nextInt(3) > 0 ? utf8("create-shipment") : bytes(random));
          add(h, SagaHeaders.KIND, SagaHeaders.KIND_ACTION);
          h.add(SagaHeaders.ATTEMPT, genuine || random.nextInt(3) > 0 ? utf8("1") : bytes(random));
          add(h, SagaHeaders.OUTCOME, "failure");
          h.add(
              SagaHeaders.FAILURE_CLASS,
              genuine || random.nextBoolean() ? utf8("BUSINESS") : bytes(random));
          h.add(SagaHeaders.FAILURE_REASON, bytes(random));
          if (random.nextInt(4) == 0) {
            h.add(SagaHeaders.FAILURE_REASON, bytes(random)); // duplicated
          }
          byte[] key = random.nextBoolean() ? utf8("o-fuzz") : bytes(random);
          byte[] payload = genuine || random.nextBoolean() ? utf8("{}") : bytes(random);
          p.send(new ProducerRecord<>(f.replies, null, key, payload, h)).get();
        }
      }
      SagaView done = SagaLifecycleIT.awaitTerminal(o, id);
      assertThat(done.state()).as("seed %d", seed).isEqualTo(SagaState.COMPENSATED);
      assertThat(SagaFixture.kinds(done)).doesNotContain("TIMED_OUT:create-shipment");
      // every record on the reply topic, the fuzzed ones and the saga's own replies, ends
      // processed, duplicate, ignored or dead-lettered, and the committed offsets reach the end
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                long end = endOffsets(f, 2);
                return committed(f, group) == end && finished(meters, group) == end;
              });
      assertThat(endOffsets(f, 2) - before).as("seed %d", seed).isGreaterThanOrEqualTo(sent);
    }
  }

  /** The id of the command the saga sent to {@code topic} (its only record). */
  private static String commandId(SagaFixture f, String topic) {
    try (TopicRecorder<Event> commands =
        new TopicRecorder<>(f.broker, topic, KafkaRecords::toEvent)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> commands.size() == 1);
      return commands.values().get(0).id().toString();
    }
  }

  private static double finished(SimpleMeterRegistry meters, String group) {
    double n = 0;
    for (String result : List.of("processed", "duplicate", "ignored", "dead_lettered")) {
      var c =
          meters.find("keel.consumer.records").tag("group", group).tag("result", result).counter();
      n += c == null ? 0 : c.count();
    }
    return n;
  }

  private static long endOffsets(SagaFixture f, int partitions) throws Exception {
    try (Admin admin = Admin.create(f.broker.clientProperties())) {
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        specs.put(new TopicPartition(f.replies, p), OffsetSpec.latest());
      }
      return admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS).values().stream()
          .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
          .sum();
    }
  }

  private static long committed(SagaFixture f, String group) throws Exception {
    try (Admin admin = Admin.create(f.broker.clientProperties())) {
      return admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS)
          .entrySet()
          .stream()
          .filter(e -> e.getKey().topic().equals(f.replies) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Bytes biased towards U+0000, control characters and invalid UTF-8. */
  private static byte[] bytes(Random random) {
    byte[] b = new byte[random.nextInt(40)];
    for (int i = 0; i < b.length; i++) {
      b[i] =
          switch (random.nextInt(4)) {
            case 0 -> 0x00;
            case 1 -> (byte) random.nextInt(0x20);
            case 2 -> (byte) (0x80 + random.nextInt(0x80));
            default -> (byte) ('a' + random.nextInt(26));
          };
    }
    return b;
  }

  private static void add(RecordHeaders h, String name, String value) {
    h.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
