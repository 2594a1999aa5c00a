package dev.keel.advisor;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** The topologies and the fixed clock the tests share. */
final class Fixtures {
  /** Fixed instant: deprecation windows are judged against it, so goldens never drift. */
  static final Instant NOW = Instant.parse("2026-11-27T00:00:00Z");

  static final String EXAMPLE = "examples/order-fulfillment.yaml";
  static final String BROKEN = "broken-topology.yaml";

  private Fixtures() {}

  static Advisor advisor() {
    return Advisor.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
  }

  /** Reads a topology from the classpath. */
  static Topology classpath(String resource) {
    try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + resource);
      }
      Reader r = new InputStreamReader(in, StandardCharsets.UTF_8);
      return TopologyYaml.read(Path.of(resource).getFileName().toString(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The example's file in the source tree, for CLI tests. */
  static Path exampleFile() {
    return Path.of("src/main/resources", EXAMPLE);
  }

  static Path brokenFile() {
    return Path.of("src/test/resources", BROKEN);
  }
}
