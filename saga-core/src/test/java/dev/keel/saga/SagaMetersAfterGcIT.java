package dev.keel.saga;

import static dev.keel.saga.SagaLifecycleIT.awaitTerminal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.KeelMeters;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.saga.SagaFixture.OrderData;
import dev.keel.saga.testing.SagaTestClock;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.RequiredSearch;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Every documented saga meter ({@code keel.saga.*} in {@link KeelMeters} and the saga-core README)
 * is read with its tags after a forced garbage collection, once real sagas ran on the broker and
 * the database: no gauge reads NaN because Micrometer held its state weakly, and each meter has the
 * value the scenario produced. The other components' meters are read the same way in
 * consumer-core's {@code MetersAfterGcIT}.
 */
@KeelTest
class SagaMetersAfterGcIT {
  private static final String GROUP = "saga-gc";
  private static final String HELD = "order-held";

  /** Collects garbage until a weakly held sentinel is gone. */
  private static void forceGc() {
    WeakReference<Object> sentinel = new WeakReference<>(new Object());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              System.gc();
              return sentinel.get() == null;
            });
  }

  @Test
  void everySagaMeterHasItsValueAfterAGarbageCollection(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    MeterRegistry meters;
    try (SagaFixture f = new SagaFixture(broker, topics, db);
        KafkaProducer<byte[], byte[]> raw =
            new KafkaProducer<>(
                broker.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
      meters = f.participantMeters; // participants and the orchestrator on one registry
      f.script.failingOrders.add("o-refused");
      f.script.failingOrders.add("o-undo-fails");
      f.startServices();
      SagaDefinition<OrderData> def = f.definition();
      // a second saga whose payment command nobody reads: it waits, and becomes stuck
      String silent = topics.create("silent", 1);
      SagaDefinition<OrderData> held =
          SagaFixture.definition(
              HELD,
              f.inventory,
              f.payments,
              f.shipping,
              f.replies,
              f.outcomes,
              FailurePolicy.compensate(),
              silent,
              step -> {});
      SagaTestClock clock = SagaTestClock.at(TestTime.start());
      SagaOrchestrator o =
          f.started(
              f.orchestrator(def, clock)
                  .definition(held)
                  .group(GROUP)
                  .scanInterval(Duration.ofHours(1))
                  .stuckThreshold(Duration.ofSeconds(10))
                  .meterRegistry(meters));
      SagaAdmin admin = o.admin();

      UUID ok = f.start(o, def, "o-ok");
      UUID refused = f.start(o, def, "o-refused");
      assertThat(awaitTerminal(o, ok).state()).isEqualTo(SagaState.COMPLETED);
      assertThat(awaitTerminal(o, refused).state()).isEqualTo(SagaState.COMPENSATED);

      // the payment void fails now: three compensation attempts, each retry a due deadline
      f.script.failingCompensations.add("payment.void");
      UUID undoFails = f.start(o, def, "o-undo-fails");
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                SagaView v = admin.byId(undoFails).orElseThrow();
                if (v.phase() == SagaPhase.RETRY) {
                  clock.advance(Duration.ofSeconds(1));
                  o.scanDeadlinesNow();
                }
                return v.state().isTerminal();
              });
      assertThat(admin.byId(undoFails).orElseThrow().state())
          .isEqualTo(SagaState.COMPENSATION_FAILED);

      UUID waiting = f.start(o, held, "o-held");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "authorize-payment".equals(admin.byId(waiting).orElseThrow().step()));
      clock.advance(Duration.ofSeconds(15)); // past the stuck threshold, before the step timeout
      assertThat(o.scanDeadlinesNow()).isZero();

      // a reply that does not echo the command id, and a command naming a foreign reply topic
      raw.send(KafkaRecords.toProducerRecord(forgedReply(f, waiting))).get();
      raw.send(KafkaRecords.toProducerRecord(forgedCommand(f))).get();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  meters.find(KeelMeters.SAGA_REPLIES_REJECTED).counter() != null
                      && meters.find(KeelMeters.SAGA_COMMANDS_REJECTED).counter() != null);

      forceGc();
      assertThat(
              meters.getMeters().stream()
                  .map(m -> m.getId().getName())
                  .filter(n -> n.startsWith("keel.saga."))
                  .collect(Collectors.toSet()))
          .as("every documented saga meter is registered")
          .containsExactlyInAnyOrder(
              KeelMeters.SAGA_STARTED,
              KeelMeters.SAGA_COMPLETED,
              KeelMeters.SAGA_COMPENSATED,
              KeelMeters.SAGA_FAILED,
              KeelMeters.SAGA_STEP_DURATION,
              KeelMeters.SAGA_STUCK,
              KeelMeters.SAGA_REPLIES_REJECTED,
              KeelMeters.SAGA_COMMANDS_REJECTED);
      assertThat(count(meters, KeelMeters.SAGA_STARTED, SagaFixture.SAGA)).isEqualTo(3);
      assertThat(count(meters, KeelMeters.SAGA_STARTED, HELD)).isEqualTo(1);
      assertThat(count(meters, KeelMeters.SAGA_COMPLETED, SagaFixture.SAGA)).isEqualTo(1);
      assertThat(count(meters, KeelMeters.SAGA_COMPLETED, HELD)).isZero();
      assertThat(count(meters, KeelMeters.SAGA_COMPENSATED, SagaFixture.SAGA)).isEqualTo(1);
      assertThat(failed(meters, SagaState.COMPENSATION_FAILED)).isEqualTo(1);
      assertThat(failed(meters, SagaState.FAILED)).isZero();
      Map<String, Long> actions =
          Map.of(
              "reserve-stock",
              3L,
              "authorize-payment",
              3L,
              "create-shipment",
              1L,
              "confirm-order",
              1L);
      actions.forEach(
          (step, n) ->
              assertThat(step(meters, SagaFixture.SAGA, step, "action").count())
                  .as("%s action", step)
                  .isEqualTo(n));
      for (String step : new String[] {"authorize-payment", "reserve-stock"}) {
        assertThat(step(meters, SagaFixture.SAGA, step, "compensation").count())
            .as("%s compensation", step)
            .isEqualTo(1);
      }
      assertThat(step(meters, HELD, "reserve-stock", "action").count()).isEqualTo(1);
      assertThat(meters.find(KeelMeters.SAGA_STEP_DURATION).timers())
          .hasSize(actions.size() + 2 + 1)
          .allSatisfy(
              t ->
                  assertThat(t.totalTime(TimeUnit.MILLISECONDS))
                      .as("%s", t.getId())
                      .isFinite()
                      .isGreaterThanOrEqualTo(0));
      assertThat(group(meters, KeelMeters.SAGA_STUCK).gauge().value()).isEqualTo(1.0);
      assertThat(
              group(meters, KeelMeters.SAGA_REPLIES_REJECTED)
                  .tag("saga", HELD)
                  .tag("reason", "command-id")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(
              meters
                  .get(KeelMeters.SAGA_COMMANDS_REJECTED)
                  .tag("group", f.participantGroup)
                  .tag("reason", "reply-topic")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(meters.getMeters())
          .filteredOn(m -> m.getId().getName().startsWith("keel.saga."))
          .allSatisfy(SagaMetersAfterGcIT::hasARealValue);
    }
    // the closed orchestrator took its meters with it
    assertThat(meters.find(KeelMeters.SAGA_STUCK).gauges()).isEmpty();
    assertThat(meters.find(KeelMeters.SAGA_STEP_DURATION).timers()).isEmpty();
    assertThat(meters.find(KeelMeters.SAGA_STARTED).counters()).isEmpty();
  }

  private static void hasARealValue(Meter m) {
    for (var measurement : m.measure()) {
      assertThat(measurement.getValue()).as("%s %s", m.getId(), measurement).isFinite();
    }
  }

  private static RequiredSearch group(MeterRegistry meters, String name) {
    return meters.get(name).tag("group", GROUP);
  }

  private static double count(MeterRegistry meters, String name, String saga) {
    return group(meters, name).tag("saga", saga).counter().count();
  }

  private static double failed(MeterRegistry meters, SagaState state) {
    Counter c =
        group(meters, KeelMeters.SAGA_FAILED)
            .tag("saga", SagaFixture.SAGA)
            .tag("state", state.name())
            .counter();
    return c.count();
  }

  private static Timer step(MeterRegistry meters, String saga, String step, String kind) {
    return group(meters, KeelMeters.SAGA_STEP_DURATION)
        .tag("saga", saga)
        .tag("step", step)
        .tag("kind", kind)
        .timer();
  }

  /** A success reply for the waiting step, with a command id the saga never sent. */
  private static Event forgedReply(SagaFixture f, UUID sagaId) {
    return Event.builder()
        .type("payment.authorized")
        .topic(f.replies)
        .key("o-held")
        .source(SagaFixture.PARTICIPANT)
        .header(SagaHeaders.SAGA_ID, sagaId.toString())
        .header(SagaHeaders.SAGA_STEP, "authorize-payment")
        .header(SagaHeaders.KIND, SagaHeaders.KIND_ACTION)
        .header(SagaHeaders.ATTEMPT, "1")
        .header(SagaHeaders.OUTCOME, "success")
        .header(SagaHeaders.COMMAND_ID, UUID.randomUUID().toString())
        .payload("{\"id\":\"forged\"}".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  /** A reserve command for a new saga whose replies would go to another service's topic. */
  private static Event forgedCommand(SagaFixture f) {
    return Event.builder()
        .type("stock.reserve")
        .topic(f.inventory)
        .key("o-forged")
        .source(SagaFixture.SAGA)
        .header(SagaHeaders.SAGA_ID, UUID.randomUUID().toString())
        .header(SagaHeaders.SAGA_STEP, "reserve-stock")
        .header(SagaHeaders.KIND, SagaHeaders.KIND_ACTION)
        .header(SagaHeaders.ATTEMPT, "1")
        .header(SagaHeaders.REPLY_TO, "other-service-replies")
        .header(SagaHeaders.STEP_TOKEN, "c".repeat(32))
        .payload(
            "{\"orderId\":\"o-forged\",\"amount\":1,\"authorization\":null}"
                .getBytes(StandardCharsets.UTF_8))
        .build();
  }
}
