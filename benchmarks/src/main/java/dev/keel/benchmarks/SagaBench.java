package dev.keel.benchmarks;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.Event;
import dev.keel.event.KeelMeters;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaOrchestrator;
import dev.keel.saga.SagaParticipant;
import dev.keel.saga.SagaState;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Saga step transitions: a 5-step saga with no-op participants (every step a command through the
 * outbox, a participant reply through the outbox, the orchestrator's state change in the reply's
 * transaction), against the same transport without a saga engine: an event chain where each hop is
 * an idempotent consumer appending the next event to the outbox in its transaction. One saga step
 * is two hops (command and reply), so the chain's transitions per second are its hops per second
 * divided by two.
 */
final class SagaBench {
  private static final int STEPS = 5;

  /** Records per consumer transaction, in the orchestrator, the participants and the chain. */
  private static final int BATCH = 50;

  private final KafkaBroker broker;
  private final IsolatedDatabase db;
  private final Report report;
  private int runs;
  private String stepLatency = "";

  SagaBench(KafkaBroker broker, IsolatedDatabase db, Report report) {
    this.broker = broker;
    this.db = db;
    this.report = report;
  }

  /** The data of a bench saga. */
  public record Data(int n) {}

  void run(boolean quick) throws Exception {
    int sagas = quick ? 200 : 2_000;
    report.section(
        "Saga step transitions: "
            + sagas
            + " sagas of "
            + STEPS
            + " steps started at once, no-op participants, 4 partitions, 2 consumer threads, up to "
            + BATCH
            + " records per consumer transaction");
    chain(Math.min(sagas, 100)); // warm-up
    saga(Math.min(sagas, 100), null);
    double chain = chain(sagas);
    SimpleMeterRegistry meters = filtered();
    double saga = saga(sagas, meters);
    report.line(
        "event chain, 2 hops per transition (no saga engine)", chain, Double.NaN, Double.NaN);
    Report.Line line =
        report.line("saga engine, 5-step saga (transitions/s)", saga, Double.NaN, Double.NaN);
    line.ratio("of the event chain", saga / chain);
    line.note(stepLatency + " (queueing behind the burst)");
    int rate = quick ? 20 : 60;
    int steady = quick ? 100 : 1_200;
    double paced = saga(steady, filtered(), rate);
    report
        .line(
            "saga engine at a steady " + rate + " sagas/s (" + rate * STEPS + " transitions/s)",
            paced,
            Double.NaN,
            Double.NaN)
        .note(stepLatency);
  }

  private static SimpleMeterRegistry filtered() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    meters
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                if (id.getName().equals(KeelMeters.SAGA_STEP_DURATION)) {
                  return DistributionStatisticConfig.builder()
                      .percentiles(0.5, 0.99)
                      .build()
                      .merge(config);
                }
                return config;
              }
            });
    return meters;
  }

  /** The step latencies, read before the orchestrator closes (closing removes its meters). */
  private static String stepLatency(SimpleMeterRegistry meters) {
    double p50 = 0;
    double p99 = 0;
    long count = 0;
    double mean = 0;
    for (Timer t : meters.find(KeelMeters.SAGA_STEP_DURATION).tag("kind", "action").timers()) {
      count += t.count();
      mean = Math.max(mean, t.mean(TimeUnit.MILLISECONDS));
      for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
        if (v.percentile() == 0.5) {
          p50 = Math.max(p50, v.value(TimeUnit.MILLISECONDS));
        } else if (v.percentile() == 0.99) {
          p99 = Math.max(p99, v.value(TimeUnit.MILLISECONDS));
        }
      }
    }
    return String.format(
        "step latency (worst step) mean %.1f ms, p50 %.1f ms, p99 %.1f ms over %d steps",
        mean, p50, p99, count);
  }

  private Map<String, Object> consumerProps() {
    Map<String, Object> p = new HashMap<>(broker.clientProperties());
    p.put("auto.offset.reset", "earliest");
    return p;
  }

  private OutboxRelay relay() {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.putAll(Workload.PRODUCER);
    return OutboxRelay.builder()
        .dataSource(db.dataSource())
        .producerProperties(props)
        .createSchema(false)
        .build();
  }

  /** Transitions per second of {@code n} sagas of five no-op steps. */
  private double saga(int n, SimpleMeterRegistry meters) throws Exception {
    return saga(n, meters, 0);
  }

  /**
   * Transitions per second of {@code n} sagas; started all at once when {@code perSecond} is 0,
   * otherwise paced at that many sagas per second (ten per transaction).
   */
  private double saga(int n, SimpleMeterRegistry meters, int perSecond) throws Exception {
    int run = ++runs;
    String commands = "saga-bench-commands-" + run;
    String replies = "saga-bench-replies-" + run;
    broker.createTopic(commands, 4);
    broker.createTopic(replies, 4);
    broker.createTopic(commands + ".dlq", 4);
    broker.createTopic(replies + ".dlq", 4);
    SagaDefinition.Builder<Data> def =
        SagaDefinition.builder("bench-" + run, Data.class)
            .replyTopic(replies)
            .commandKey(d -> "k" + d.n());
    SagaParticipant.Builder participant =
        SagaParticipant.builder()
            .group("bench-participant-" + run)
            .outbox(Outbox.builder().build())
            .replyTopics(replies);
    for (int s = 1; s <= STEPS; s++) {
      String command = "bench" + s + ".execute";
      String reply = "bench" + s + ".executed";
      def.step(
          "step-" + s,
          st ->
              st.command(commands, command, d -> d)
                  .onReply(reply)
                  .noCompensation()
                  .timeout(Duration.ofMinutes(5)));
      participant.onCommand(commands, command, Data.class, reply, cmd -> null);
    }
    SagaDefinition<Data> definition = def.build();
    Outbox outbox = Outbox.builder().build();
    SagaOrchestrator.Builder ob =
        SagaOrchestrator.builder()
            .dataSource(db.dataSource())
            .outbox(outbox)
            .consumerProperties(consumerProps())
            .consumerRuntime(b -> b.threads(2).maxBatchSize(BATCH))
            .group("bench-orchestrator-" + run)
            .definition(definition);
    if (meters != null) {
      ob.meterRegistry(meters);
    }
    ConsumerRuntime.Builder rb =
        ConsumerRuntime.builder()
            .consumerProperties(consumerProps())
            .dataSource(db.dataSource())
            .threads(2)
            .maxBatchSize(BATCH);
    participant.build().listeners().forEach(rb::listener);
    try (OutboxRelay relay = relay();
        SagaOrchestrator orchestrator = ob.build();
        ConsumerRuntime participants = rb.build()) {
      orchestrator.start();
      participants.start();
      relay.start();
      long start = System.nanoTime();
      long interval = perSecond == 0 ? 0 : TimeUnit.SECONDS.toNanos(10) / perSecond;
      for (int i = 0; i < n; i += 10) {
        if (interval > 0) {
          long wait = start + (i / 10) * interval - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
        }
        try (Connection c = db.dataSource().getConnection()) {
          c.setAutoCommit(false);
          for (int j = i; j < Math.min(n, i + 10); j++) {
            orchestrator.start(c, definition, new Data(j));
          }
          c.commit();
        }
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (orchestrator.admin().byState(SagaState.COMPLETED, n).size() < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("sagas did not complete within 5 minutes");
        }
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (meters != null) {
        stepLatency = stepLatency(meters);
      }
      return n * STEPS / seconds;
    }
  }

  /** The chain: n chains of 2 x STEPS hops; returns hops per second divided by two. */
  private double chain(int n) throws Exception {
    int run = ++runs;
    String topic = "chain-bench-" + run;
    broker.createTopic(topic, 4);
    broker.createTopic(topic + ".dlq", 4);
    Outbox outbox = Outbox.builder().build();
    int hops = 2 * STEPS;
    AtomicLong done = new AtomicLong();
    ConsumerRuntime.Builder rb =
        ConsumerRuntime.builder()
            .consumerProperties(consumerProps())
            .dataSource(db.dataSource())
            .threads(2)
            .maxBatchSize(BATCH)
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group("chain-" + run)
                    .handler(
                        d -> {
                          String[] parts =
                              new String(d.event().payload(), StandardCharsets.UTF_8).split(":");
                          int hop = Integer.parseInt(parts[1]);
                          if (hop < hops) {
                            outbox.append(d.connection(), hopEvent(topic, parts[0], hop + 1));
                          } else {
                            done.incrementAndGet();
                          }
                        })
                    .build());
    try (OutboxRelay relay = relay();
        ConsumerRuntime runtime = rb.build()) {
      runtime.start();
      relay.start();
      long start = System.nanoTime();
      for (int i = 0; i < n; i += 10) {
        try (Connection c = db.dataSource().getConnection()) {
          c.setAutoCommit(false);
          for (int j = i; j < Math.min(n, i + 10); j++) {
            outbox.append(c, hopEvent(topic, "k" + j, 1));
          }
          c.commit();
        }
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (done.get() < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("chains did not complete within 5 minutes");
        }
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return n * (double) hops / 2 / seconds;
    }
  }

  private static Event hopEvent(String topic, String key, int hop) {
    return Event.builder()
        .type("chain.advanced")
        .topic(topic)
        .key(key)
        .source("bench")
        .payload((key + ":" + hop).getBytes(StandardCharsets.UTF_8))
        .build();
  }
}
