package dev.keel.advisor;

import dev.keel.advisor.internal.yaml.YamlTopologyReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a {@link Topology} from YAML. The schema is documented in the advisor's README and shown by
 * {@code examples/order-fulfillment.yaml} on the classpath. Errors name the file and line: {@code
 * topology.yaml:17: consumer 'billing' has no group}. The reader builds no Java objects from YAML
 * tags. Thread-safe (stateless).
 */
public final class TopologyYaml {
  private TopologyYaml() {}

  /**
   * Reads a file; messages name it by its file name.
   *
   * @throws TopologyException on bad input, with {@code file:line:} messages
   * @throws UncheckedIOException when the file cannot be read
   */
  public static Topology read(Path file) {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(name, r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read topology " + file, e);
    }
  }

  /**
   * Reads YAML text.
   *
   * @param source the name used in messages
   * @param reader the YAML; not closed
   * @throws TopologyException on bad input
   */
  public static Topology read(String source, Reader reader) {
    return new YamlTopologyReader(source).read(reader);
  }

  /** Reads YAML from a string. */
  public static Topology parse(String source, String yaml) {
    return read(source, new StringReader(yaml));
  }

  /** The problems of a topology file without throwing: empty when it is valid. */
  public static List<String> problems(String source, String yaml) {
    try {
      parse(source, yaml);
      return List.of();
    } catch (TopologyException e) {
      return e.problems();
    }
  }
}
