package dev.keel.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * retry-core is the retry logic without I/O: its compile-scope dependencies are event-core and
 * Resilience4j only, and its code imports no Kafka, JDBC, Micrometer, dead-letter or consumer type.
 */
class RetryCoreFootprintTest {
  private static final Path MODULE = Path.of(System.getProperty("user.dir"));
  private static final List<String> ALLOWED = List.of("keel-event-core", "resilience4j-core");
  private static final List<String> BANNED =
      List.of(
          "org.apache.kafka.",
          "io.micrometer.",
          "javax.sql.",
          "java.sql.Connection",
          "java.sql.PreparedStatement",
          "java.sql.DriverManager",
          "org.jooq.",
          "dev.keel.dlq.",
          "dev.keel.consumer.",
          "dev.keel.outbox.",
          "dev.keel.saga.");

  @Test
  void compileDependenciesAreEventCoreAndResilience4jOnly() throws IOException {
    String pom = Files.readString(MODULE.resolve("pom.xml"));
    String deps = pom.substring(pom.indexOf("<dependencies>"), pom.indexOf("</dependencies>"));
    Matcher m = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL).matcher(deps);
    List<String> compile = new ArrayList<>();
    while (m.find()) {
      String d = m.group(1);
      if (!d.contains("<scope>test</scope>")) {
        Matcher a = Pattern.compile("<artifactId>(.*?)</artifactId>").matcher(d);
        assertThat(a.find()).isTrue();
        compile.add(a.group(1));
      }
    }
    assertThat(compile).isNotEmpty().allMatch(ALLOWED::contains);
  }

  @Test
  void sourcesImportNoIoTypes() throws IOException {
    Path main = MODULE.resolve("src/main/java");
    List<String> offending = new ArrayList<>();
    try (Stream<Path> files = Files.walk(main)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        for (String line : Files.readAllLines(f)) {
          String l = line.strip();
          if (l.startsWith("import ") && BANNED.stream().anyMatch(l::contains)) {
            offending.add(main.relativize(f) + ": " + l);
          }
        }
      }
    }
    assertThat(offending).isEmpty();
  }
}
