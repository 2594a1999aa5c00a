package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.event.Event;
import dev.keel.event.TraceContext;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.Outbox;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Trace context is continued by the consumer: an event a handler appends without a trace of its own
 * is stored with a child of the consumed event's {@code traceparent} (same trace id, new span id);
 * an input without one, or with a forged one, gives an output without one.
 */
@KeelTest
class TraceContinuationIT {
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String PARENT = "00-" + TRACE + "-b7ad6b7169203331-01";

  @Test
  void appendedEventsContinueTheConsumedEventsTrace(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String in = topics.create("in", 1);
    String out = topics.create("out", 1);
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Outbox outbox = Outbox.builder().build();
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.send(p, Fixture.event(in, "traced", 0).toBuilder().traceParent(PARENT).build(), 1);
      Fixture.send(p, Fixture.event(in, "untraced", 1), 1);
      Fixture.send(
          p,
          Fixture.event(in, "own", 2).toBuilder().traceParent(PARENT).header("own", "1").build(),
          1);
      p.flush();
    }
    Fixture.checkSent();
    String own = "00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-00";
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .listener(
                ListenerDefinition.builder()
                    .topic(in)
                    .group(Fixture.group())
                    .payloadType(Item.class)
                    .handler(
                        d -> {
                          Item item = d.payload();
                          Event.Builder e =
                              Event.builder()
                                  .type("item.forwarded")
                                  .topic(out)
                                  .key(item.key())
                                  .source("forwarder")
                                  .payload("{}".getBytes(StandardCharsets.UTF_8));
                          if (d.event().headers().containsKey("own")) {
                            e.traceParent(own); // an explicit trace wins
                          }
                          outbox.append(d.connection(), e.build());
                        })
                    .build())
            .build()) {
      runtime.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> traceparents(db).size() == 3);
    }
    Map<String, String> byKey = traceparents(db);
    String child = byKey.get("traced");
    assertThat(TraceContext.isValid(child)).isTrue();
    assertThat(child).startsWith("00-" + TRACE + "-").endsWith("-01").isNotEqualTo(PARENT);
    assertThat(byKey.get("untraced")).isEqualTo("none");
    assertThat(byKey.get("own")).isEqualTo(own);
    assertThat(TraceContext.current()).isEmpty(); // nothing leaks into the test thread
  }

  /** The stored traceparent of each outbox row by key ("none" when absent). */
  private static Map<String, String> traceparents(IsolatedDatabase db) throws Exception {
    Map<String, String> byKey = new HashMap<>();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT event_key, coalesce(headers->>'traceparent', 'none') FROM keel_outbox");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        byKey.put(rs.getString(1), rs.getString(2));
      }
    }
    return byKey;
  }
}
