package dev.keel.test.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerIT {

  @Test
  void stopKeepsTheLogDirectoryAndCloseDeletesIt(@TempDir Path parent) throws IOException {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of(), false, parent);
    Path logDir = broker.logDir();
    try {
      assertThat(logDir).isDirectory().startsWith(parent);
      broker.createTopic("kept", 1);
      broker.stop();
      assertThat(logDir).isDirectory(); // stop keeps the data for restart
    } finally {
      broker.close();
    }
    assertThat(logDir).doesNotExist();
    assertThat(children(parent)).isZero();
  }

  @Test
  void failedStartLeavesNoLogDirectoryNorForwarder(@TempDir Path parent) throws IOException {
    // An invalid broker property fails the launch after the forwarder has started.
    assertThatThrownBy(() -> EmbeddedKafkaBroker.start(Map.of("num.io.threads", "0"), true, parent))
        .hasMessageContaining("num.io.threads");
    assertThat(children(parent)).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("keel-kafka-forwarder-")));
  }

  private static long children(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
