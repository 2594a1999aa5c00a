package dev.keel.test.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the nested server jars are extracted from keel-test-kafka-server's jar. */
class KafkaServerLoaderTest {

  @Test
  void extractsTheNestedJarsOnceAndReusesThem(@TempDir Path dir) throws Exception {
    Path outer =
        jar(
            dir.resolve("server.jar"),
            Map.of(
                KafkaServerLoader.LIB + "b.jar",
                "bbbb",
                KafkaServerLoader.LIB + "a.jar",
                "aaa",
                "dev/keel/Other.class",
                "not nested"));
    Path temp = Files.createDirectory(dir.resolve("tmp"));

    List<URL> urls = KafkaServerLoader.extract(outer, temp);

    assertThat(urls)
        .extracting(u -> Path.of(u.toURI()).getFileName().toString())
        .containsExactly("a.jar", "b.jar");
    Path a = Path.of(urls.get(0).toURI());
    assertThat(a.getParent().getParent()).isEqualTo(temp);
    assertThat(a.getParent().getFileName().toString()).startsWith("keel-kafka-server-");
    assertThat(Files.readString(a)).isEqualTo("aaa");

    // a later JVM finds them in place and writes nothing
    FileTime old = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(a, old);
    assertThat(KafkaServerLoader.extract(outer, temp)).isEqualTo(urls);
    assertThat(Files.getLastModifiedTime(a)).isEqualTo(old);

    // a file cut short (a disk filled up, say) is written again
    Files.writeString(a, "a");
    KafkaServerLoader.extract(outer, temp);
    assertThat(Files.readString(a)).isEqualTo("aaa");
    assertThat(children(a.getParent())).isEqualTo(2); // no part files left behind
  }

  @Test
  void otherNestedJarsGoToAnotherDirectory(@TempDir Path dir) throws Exception {
    Path temp = Files.createDirectory(dir.resolve("tmp"));
    Path one = jar(dir.resolve("one.jar"), Map.of(KafkaServerLoader.LIB + "a.jar", "aaa"));
    Path two = jar(dir.resolve("two.jar"), Map.of(KafkaServerLoader.LIB + "a.jar", "AAA"));

    Path first = Path.of(KafkaServerLoader.extract(one, temp).get(0).toURI());
    Path second = Path.of(KafkaServerLoader.extract(two, temp).get(0).toURI());

    assertThat(first.getParent()).isNotEqualTo(second.getParent());
    assertThat(Files.readString(first)).isEqualTo("aaa");
    assertThat(Files.readString(second)).isEqualTo("AAA");
  }

  private static Path jar(Path file, Map<String, String> entries) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(out)) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        jar.putNextEntry(new JarEntry(e.getKey()));
        jar.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
      }
    }
    return file;
  }

  private static long children(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
