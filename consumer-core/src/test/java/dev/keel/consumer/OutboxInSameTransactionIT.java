package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.event.Event;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.JooqOutbox;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.WithDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * A {@link KeelListener} that appends to the outbox in its own transaction, with a relay running:
 * exactly one downstream event per input event, although inputs arrive one to three times and the
 * group is rewound and reads everything again.
 */
@KeelTest
class OutboxInSameTransactionIT {
  static final String IN = "keel-consumer-outbox-in";
  static final String OUT = "keel-consumer-outbox-out";
  static final String GROUP = "keel-consumer-forwarder";
  static final String MARIA_IN = "keel-consumer-outbox-maria-in";
  static final String MARIA_OUT = "keel-consumer-outbox-maria-out";
  static final String MARIA_GROUP = "keel-consumer-forwarder-maria";

  /** Forwards every input as one output event, through the consumer's transaction. */
  static final class Forwarder {
    private final Outbox outbox;

    Forwarder(Outbox outbox) {
      this.outbox = outbox;
    }

    @KeelListener(topic = IN, group = GROUP, type = "item.added")
    void added(Item item, Event event, Connection tx) {
      outbox.append(tx, forwarded(OUT, event, item));
    }

    @KeelListener(topic = IN, group = GROUP, type = "item.removed")
    void removed(DSLContext tx, Item item, Event event) {
      JooqOutbox.append(outbox, tx, forwarded(OUT, event, item));
    }

    static Event forwarded(String out, Event input, Item item) {
      return Event.builder()
          .type("item.forwarded")
          .topic(out)
          .key(item.key())
          .source("forwarder")
          .header("x-input-event", input.id().toString())
          .payload(("{\"seq\":" + item.seq() + "}").getBytes(StandardCharsets.UTF_8))
          .build();
    }
  }

  /** The same forwarder on the topics of the MariaDB test. */
  static final class MariaDbForwarder {
    private final Outbox outbox;

    MariaDbForwarder(Outbox outbox) {
      this.outbox = outbox;
    }

    @KeelListener(topic = MARIA_IN, group = MARIA_GROUP, type = "item.added")
    void added(Item item, Event event, Connection tx) {
      outbox.append(tx, Forwarder.forwarded(MARIA_OUT, event, item));
    }

    @KeelListener(topic = MARIA_IN, group = MARIA_GROUP, type = "item.removed")
    void removed(DSLContext tx, Item item, Event event) {
      JooqOutbox.append(outbox, tx, Forwarder.forwarded(MARIA_OUT, event, item));
    }
  }

  @Test
  void exactlyOneDownstreamEventPerInput(KafkaBroker broker, IsolatedDatabase db) throws Exception {
    exactlyOneDownstreamEventPerInput(broker, db, Forwarder::new, IN, OUT, GROUP);
  }

  @Test
  void mariaDbExactlyOneDownstreamEventPerInput(
      KafkaBroker broker, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    exactlyOneDownstreamEventPerInput(
        broker, db, MariaDbForwarder::new, MARIA_IN, MARIA_OUT, MARIA_GROUP);
  }

  private void exactlyOneDownstreamEventPerInput(
      KafkaBroker broker,
      IsolatedDatabase db,
      Function<Outbox, Object> forwarder,
      String in,
      String outTopic,
      String group)
      throws Exception {
    broker.createTopic(in, 3);
    broker.createTopic(outTopic, 3);
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Outbox outbox = Outbox.builder().lanes(4).build();
    int events = 200;
    int sent = 0;
    Random random = new Random(3);
    try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(broker)) {
      for (int i = 0; i < events; i++) {
        Event e =
            Fixture.event(in, "k" + (i % 17), i).toBuilder()
                .type(i % 2 == 0 ? "item.added" : "item.removed")
                .build();
        int copies = 1 + random.nextInt(3);
        Fixture.send(producer, e, copies);
        sent += copies;
      }
      producer.flush();
      Fixture.checkSent();
    }
    try (OutboxRelay relay =
            OutboxRelay.builder()
                .dataSource(db.dataSource())
                .producerProperties(broker.clientProperties())
                .lanes(4)
                .pollInterval(Duration.ofMillis(100))
                .leaseDuration(Duration.ofSeconds(3))
                .closeTimeout(Duration.ofSeconds(10))
                .build();
        TopicCollector out = new TopicCollector(broker, outTopic)) {
      relay.start();
      for (int round = 0; round < 2; round++) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        int total = sent;
        try (ConsumerRuntime runtime =
            Fixture.runtime(broker, db.dataSource())
                .threads(3)
                .meterRegistry(meters)
                .register(forwarder.apply(outbox))
                .build()) {
          runtime.start();
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      counter(meters, group, "processed") + counter(meters, group, "duplicate")
                          >= total);
          assertThat(counter(meters, group, "processed")).isEqualTo(round == 0 ? events : 0);
          assertThat(counter(meters, group, "dead_lettered")).isZero();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> out.size() >= events);
        Fixture.rewind(broker, group, in, 3); // everything is delivered once more
      }
      // the consumer's guarantee: one outbox row (one event id) per input event
      Map<String, Set<UUID>> idsPerInput =
          out.events().stream()
              .collect(
                  Collectors.groupingBy(
                      e -> e.headers().get("x-input-event"),
                      Collectors.mapping(Event::id, Collectors.toSet())));
      assertThat(idsPerInput).hasSize(events);
      assertThat(idsPerInput.values())
          .as("outbox events per input event")
          .allMatch(ids -> ids.size() == 1);
      // the relay's: at least once; here, with nothing failing on PostgreSQL, exactly once. On
      // MariaDB a deadlock on the relay's delete is retried, and a batch whose delete rolled back
      // is sent again: the same event ids, which consumers dedupe.
      Map<UUID, Long> copies =
          out.events().stream().collect(Collectors.groupingBy(Event::id, Collectors.counting()));
      assertThat(copies).as("event ids on %s", outTopic).hasSize(events);
      if (db.kind() == DatabaseKind.POSTGRES) {
        assertThat(copies.entrySet())
            .as("copies of one event id on %s", outTopic)
            .allMatch(e -> e.getValue() == 1);
      }
    }
  }
}
