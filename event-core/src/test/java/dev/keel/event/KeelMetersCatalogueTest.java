package dev.keel.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link KeelMeters} is the one list of Keel's meter names: every registration site in the
 * repository's main sources names its meter through it, and docs/design.md §8 lists exactly its
 * names. Also checks that every design reference in the code points at a section of docs/design.md.
 */
class KeelMetersCatalogueTest {
  /** A Micrometer builder call and its first argument (the meter's name). */
  private static final Pattern BUILDER =
      Pattern.compile(
          "\\b(Counter|Gauge|Timer|DistributionSummary|LongTaskTimer|FunctionCounter"
              + "|FunctionTimer|TimeGauge)\\.builder\\(\\s*([^,)]+)");

  /** A shortcut registration on a registry ({@code registry.counter("...")}). */
  private static final Pattern SHORTCUT =
      Pattern.compile(
          "\\.(counter|gauge|timer|summary|gaugeCollectionSize|gaugeMapSize|more\\(\\)\\.\\w+)"
              + "\\(\\s*\"([^\"]*)\"");

  private static final Pattern NAME = Pattern.compile("keel(\\.[a-z]+)+");
  private static final Pattern TABLE_ROW = Pattern.compile("^\\| `(keel\\.[a-z.]+)` \\|");

  /** Spelled apart so that this file does not match itself. */
  private static final String UPPER_CASE_DESIGN = "DES" + "IGN";

  private static final Pattern DESIGN_REF = Pattern.compile("docs/design\\.md §(\\d+)");

  @Test
  void everyConstantIsAWellFormedDistinctMeterName() {
    List<String> names = constants();
    assertThat(names).hasSizeGreaterThan(20).doesNotHaveDuplicates();
    assertThat(names).allSatisfy(n -> assertThat(n).matches(NAME));
  }

  @Test
  void theDesignTableListsExactlyTheConstants() throws IOException {
    Set<String> table = new TreeSet<>();
    String section = section(8);
    for (String line : section.split("\n")) {
      Matcher m = TABLE_ROW.matcher(line);
      if (m.find()) {
        table.add(m.group(1));
      }
    }
    assertThat(table)
        .as("meters in the table of docs/design.md §8 vs dev.keel.event.KeelMeters")
        .isEqualTo(new TreeSet<>(constants()));
  }

  @Test
  void everyRegistrationSiteNamesItsMeterThroughKeelMeters() throws IOException {
    Set<String> known = new LinkedHashSet<>(constants());
    List<String> offences = new ArrayList<>();
    int sites = 0;
    for (Path file : javaFiles("src/main/java")) {
      if (file.endsWith(Path.of("dev/keel/event/KeelMeters.java"))) {
        continue;
      }
      String code = Files.readString(file, StandardCharsets.UTF_8);
      Matcher b = BUILDER.matcher(code);
      while (b.find()) {
        sites++;
        String arg = b.group(2).strip();
        if (arg.startsWith("\"")) {
          offences.add(where(file, code, b.start()) + ": meter name as a literal " + arg);
        } else if (arg.startsWith("KeelMeters.")) {
          String field = arg.substring("KeelMeters.".length());
          if (!fieldNames().contains(field)) {
            offences.add(where(file, code, b.start()) + ": no KeelMeters." + field);
          }
        }
        // otherwise a variable: its callers pass KeelMeters constants, checked at their sites
      }
      Matcher s = SHORTCUT.matcher(code);
      while (s.find()) {
        if (s.group(2).startsWith("keel.")) {
          sites++;
          offences.add(where(file, code, s.start()) + ": meter name as a literal " + s.group(2));
        }
      }
      Matcher lit = Pattern.compile("\"(keel\\.[a-z]+(?:\\.[a-z]+)+)\"").matcher(code);
      while (lit.find()) {
        String name = lit.group(1);
        boolean meterLike =
            name.startsWith("keel.outbox.")
                || name.startsWith("keel.relay.")
                || name.startsWith("keel.consumer.")
                || name.startsWith("keel.dlq.")
                || name.startsWith("keel.saga.");
        if (meterLike && known.contains(name)) {
          offences.add(where(file, code, lit.start()) + ": use the KeelMeters constant of " + name);
        }
      }
    }
    assertThat(sites)
        .as("registration sites found (the scan must see the modules)")
        .isGreaterThan(15);
    assertThat(offences).isEmpty();
  }

  @Test
  void everyDesignReferenceNamesASectionOfTheDesignDocument() throws IOException {
    List<String> offences = new ArrayList<>();
    List<Path> files = new ArrayList<>(javaFiles("src"));
    try (Stream<Path> md = Files.walk(root(), 3)) {
      md.filter(p -> p.toString().endsWith(".md") && !p.toString().contains("/target/"))
          .forEach(files::add);
    }
    for (Path file : files) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      if (text.contains(UPPER_CASE_DESIGN + " §") || text.contains(UPPER_CASE_DESIGN + ".md")) {
        offences.add(root().relativize(file) + ": cites a DESIGN document this repository lacks");
      }
      Matcher m = DESIGN_REF.matcher(text);
      while (m.find()) {
        int n = Integer.parseInt(m.group(1));
        if (section(n).isEmpty()) {
          offences.add(root().relativize(file) + ": docs/design.md has no §" + n);
        }
      }
    }
    assertThat(offences).isEmpty();
  }

  private static List<String> constants() {
    List<String> names = new ArrayList<>();
    for (Field f : KeelMeters.class.getDeclaredFields()) {
      if (isConstant(f)) {
        try {
          names.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return names;
  }

  private static Set<String> fieldNames() {
    Set<String> names = new TreeSet<>();
    for (Field f : KeelMeters.class.getDeclaredFields()) {
      if (isConstant(f)) {
        names.add(f.getName());
      }
    }
    return names;
  }

  private static boolean isConstant(Field f) {
    int m = f.getModifiers();
    return Modifier.isPublic(m)
        && Modifier.isStatic(m)
        && Modifier.isFinal(m)
        && f.getType() == String.class;
  }

  /** The text of docs/design.md's section {@code n}, empty when it has none. */
  private static String section(int n) throws IOException {
    String doc = Files.readString(root().resolve("docs/design.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?m)^## " + n + "\\. .*$").matcher(doc);
    if (!m.find()) {
      return "";
    }
    int end = doc.indexOf("\n## ", m.end());
    return doc.substring(m.start(), end < 0 ? doc.length() : end);
  }

  /** The Java files under {@code <module>/<under>} of every module of the repository. */
  private static List<Path> javaFiles(String under) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root())) {
      for (Path module : modules.filter(Files::isDirectory).toList()) {
        Path dir = module.resolve(under);
        if (Files.isDirectory(dir)) {
          try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
          }
        }
      }
    }
    return files;
  }

  /** The repository root: the nearest directory up from here holding docs/design.md. */
  private static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docs/design.md"))
          && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new UncheckedIOException(
        new IOException("no docs/design.md above the working directory"));
  }

  private static String where(Path file, String code, int offset) {
    long line = code.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
    return root().relativize(file) + ":" + line;
  }
}
