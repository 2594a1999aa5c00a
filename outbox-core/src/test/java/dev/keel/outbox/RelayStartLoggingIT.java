package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.KeelMeters;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A relay start is one INFO line of Keel's, with its settings; lane by lane is DEBUG. */
@KeelTest
class RelayStartLoggingIT {

  @Test
  void aStartTakingSixteenLanesLogsOneInfoLine(KafkaBroker broker, IsolatedDatabase db) {
    String id = "start-logging-" + System.nanoTime();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
    try (OutboxRelay relay =
        OutboxFixture.relay(db.dataSource(), broker)
            .lanes(16)
            .instanceId(id)
            .meterRegistry(registry)
            .build()) {
      relay.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> registry.get(KeelMeters.RELAY_LANES_OWNED).gauge().value() == 16);
    } finally {
      System.setErr(original);
    }
    List<String> keelInfo =
        Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
            .filter(l -> l.contains(" INFO dev.keel.outbox") && l.contains(id))
            .filter(l -> !l.contains(" closed"))
            .toList();
    assertThat(keelInfo)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("OutboxRelay " + id + " started: 16 lanes")
        .contains("batch")
        .contains("ack timeout");
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
    public synchronized void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
    }
  }
}
