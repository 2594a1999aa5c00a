package dev.keel.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every mode, in Markdown and JSON, on the shipped example and on the broken topology, compared
 * byte for byte with {@code src/test/resources/golden}.
 *
 * <p>To regenerate the golden files after an intended change of output, run
 *
 * <pre>
 * mvn -B -q verify -pl advisor -am -Dkeel.golden.update=true
 * </pre>
 *
 * then review the diff with {@code git diff advisor/src/test/resources/golden}.
 */
class GoldenFilesTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final boolean UPDATE = Boolean.getBoolean("keel.golden.update");

  static List<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    String[][] topologies = {
      {"order-fulfillment", Fixtures.EXAMPLE, "order.placed"},
      {"broken", Fixtures.BROKEN, "order.placed"}
    };
    for (String[] t : topologies) {
      for (Mode mode : Mode.values()) {
        for (String format : List.of("md", "json")) {
          out.add(Arguments.of(t[0], t[1], mode, t[2], format));
        }
      }
    }
    out.add(
        Arguments.of(
            "order-fulfillment", Fixtures.EXAMPLE, Mode.CONTRACT, "payment.authorize", "md"));
    out.add(Arguments.of("broken", Fixtures.BROKEN, Mode.CONTRACT, "payment.captured", "md"));
    return out;
  }

  @ParameterizedTest(name = "{0} {2} {3} {4}")
  @MethodSource("cases")
  void output_matches_golden_file(
      String name, String resource, Mode mode, String event, String format) throws IOException {
    Report report = Fixtures.advisor().run(mode, Fixtures.classpath(resource), event);
    Function<Report, String> render = "json".equals(format) ? Report::json : Report::markdown;
    String actual = render.apply(report);
    String suffix = mode == Mode.CONTRACT ? "-" + event : "";
    Path golden = GOLDEN.resolve(name + "-" + mode.cliName() + suffix + "." + format);
    if (UPDATE) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertThat(golden).as("golden file; regenerate with -Dkeel.golden.update=true").exists();
    assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("cases")
  void output_is_deterministic(
      String name, String resource, Mode mode, String event, String format) {
    Report first = Fixtures.advisor().run(mode, Fixtures.classpath(resource), event);
    Report second = Fixtures.advisor().run(mode, Fixtures.classpath(resource), event);
    assertThat(second.markdown()).isEqualTo(first.markdown());
    assertThat(second.json()).isEqualTo(first.json());
  }
}
