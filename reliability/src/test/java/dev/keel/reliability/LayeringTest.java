package dev.keel.reliability;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The module layering of issue #18, checked on the main classes of every Keel module: dependency
 * arrows point down (event ← retry ← dlq ← consumer ← saga, outbox ← event; the advisor reads the
 * others, the CLI uses anything and nothing uses it; the Spring Boot auto-configuration uses any
 * library module), {@code internal} packages are used only by their own module, no main class uses
 * test support, and no library module uses picocli.
 *
 * <p>A rule that today's code breaks is listed in {@link #KNOWN_VIOLATIONS}: the build checks that
 * it still fails (so the list cannot go stale) and enforces every other rule. When a change makes a
 * listed rule hold, the check says so: remove it from the list.
 */
class LayeringTest {

  /** Module → its root package and the Keel modules it may use, itself excluded. */
  private static final Map<String, Module> MODULES = new LinkedHashMap<>();

  static {
    module("event", "dev.keel.event", false);
    module("retry", "dev.keel.retry", true, "event");
    module("dlq", "dev.keel.dlq", false, "event", "retry");
    module("outbox", "dev.keel.outbox", false, "event");
    module("consumer", "dev.keel.consumer", false, "event", "retry", "dlq", "outbox");
    module("saga", "dev.keel.saga", false, "event", "retry", "dlq", "outbox", "consumer");
    module(
        "advisor",
        "dev.keel.advisor",
        false,
        "event",
        "retry",
        "dlq",
        "outbox",
        "consumer",
        "saga");
    module(
        "cli",
        "dev.keel.cli",
        true,
        "event",
        "retry",
        "dlq",
        "outbox",
        "consumer",
        "saga",
        "advisor");
    // The Spring Boot auto-configuration may use every library module (not the CLI, not keel-test).
    module(
        "spring",
        "dev.keel.spring",
        false,
        "event",
        "retry",
        "dlq",
        "outbox",
        "consumer",
        "saga",
        "advisor");
    module("test", "dev.keel.test", false);
  }

  /**
   * Modules added by issue #18 (retry-core, cli) may not be in this build yet: their rules allow an
   * empty selection only while the module's directory does not exist (see {@link
   * #newModulesAreOnTheClassPathOnceTheyExist}).
   */
  private static final Map<String, String> NEW_MODULE_DIRECTORIES =
      Map.of("retry", "retry-core", "cli", "cli");

  /**
   * Rules today's code breaks, each with what fixes it (issue #18). The build fails when one of
   * them holds: remove it from this list then.
   */
  private static final Map<String, String> KNOWN_VIOLATIONS = Map.of();

  /** keel-test-kafka-server's package, loaded apart from the test's class path. */
  private static final String BROKER_BRIDGE = "dev.keel.test.internal.kafkaserver..";

  private static final JavaClasses KEEL =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.keel");

  private record Module(String name, String root, boolean isNew, List<String> uses) {
    String packages() {
      return root + "..";
    }
  }

  private static void module(String name, String root, boolean isNew, String... uses) {
    MODULES.put(name, new Module(name, root, isNew, List.of(uses)));
  }

  /** Every rule by name. */
  static Map<String, ArchRule> rules() {
    Map<String, ArchRule> rules = new LinkedHashMap<>();
    for (Module m : MODULES.values()) {
      List<String> forbidden = new ArrayList<>();
      for (Module other : MODULES.values()) {
        if (other != m && !m.uses().contains(other.name())) {
          forbidden.add(other.packages());
        }
      }
      rules.put(
          m.name() + ": uses only the modules below it",
          emptyOkIfNew(
              m,
              noClasses()
                  .that()
                  .resideInAPackage(m.packages())
                  .should()
                  .dependOnClassesThat()
                  .resideInAnyPackage(forbidden.toArray(String[]::new))));
      rules.put(
          m.name() + ": internal packages used only by the module itself",
          emptyOkIfNew(
              m,
              noClasses()
                  .that()
                  .resideOutsideOfPackage(m.packages())
                  .and()
                  .resideInAPackage("dev.keel..")
                  .should()
                  .dependOnClassesThat()
                  .resideInAPackage(m.root() + ".internal..")
                  .allowEmptyShould(true)));
      if (!m.name().equals("cli") && !m.name().equals("test")) {
        rules.put(
            m.name() + ": no picocli (command lines live in the cli module)",
            emptyOkIfNew(
                m,
                noClasses()
                    .that()
                    .resideInAPackage(m.packages())
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("picocli..")));
      }
    }
    rules.put(
        "main classes use no test support",
        noClasses()
            .that()
            .resideInAPackage("dev.keel..")
            .and()
            .resideOutsideOfPackages("dev.keel.test..", "..testing..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "dev.keel.test..",
                "..testing..",
                "org.junit..",
                "org.assertj..",
                "org.testcontainers..",
                "io.zonky.."));
    rules.put(
        "test: the embedded broker's bridge (keel-test-kafka-server) uses nothing else of Keel: it"
            + " runs in the broker's class loader, which sees only the JDK, Kafka and SLF4J",
        noClasses()
            .that()
            .resideInAPackage(BROKER_BRIDGE)
            .should()
            .dependOnClassesThat(
                JavaClass.Predicates.resideInAPackage("dev.keel..")
                    .and(JavaClass.Predicates.resideOutsideOfPackage(BROKER_BRIDGE))));
    return rules;
  }

  /**
   * A rule about a new module may find no class while that module is not in the build; every other
   * rule fails on an empty selection, so that a renamed package cannot make it pass.
   */
  private static ArchRule emptyOkIfNew(Module m, ArchRule rule) {
    return m.isNew() ? rule.allowEmptyShould(true) : rule;
  }

  @TestFactory
  Stream<DynamicTest> rulesHold() {
    return rules().entrySet().stream()
        .filter(e -> !KNOWN_VIOLATIONS.containsKey(e.getKey()))
        .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> e.getValue().check(KEEL)));
  }

  @TestFactory
  Stream<DynamicTest> knownViolationsStillFail() {
    assertThat(rules().keySet()).containsAll(KNOWN_VIOLATIONS.keySet());
    return KNOWN_VIOLATIONS.keySet().stream()
        .sorted()
        .map(
            name ->
                DynamicTest.dynamicTest(
                    name,
                    () -> {
                      if (!rules().get(name).evaluate(KEEL).hasViolation()) {
                        fail(
                            "'"
                                + name
                                + "' holds now ("
                                + KNOWN_VIOLATIONS.get(name)
                                + "): remove it from LayeringTest.KNOWN_VIOLATIONS");
                      }
                    }));
  }

  @Test
  void everyModuleOfTheBuildIsImported() {
    for (Module m : MODULES.values()) {
      if (!m.isNew()) {
        assertThat(KEEL.stream().anyMatch(c -> c.getPackageName().startsWith(m.root())))
            .as("classes of %s in the import", m.root())
            .isTrue();
      }
    }
  }

  @Test
  void newModulesAreOnTheClassPathOnceTheyExist() {
    NEW_MODULE_DIRECTORIES.forEach(
        (name, dir) -> {
          String root = MODULES.get(name).root();
          if (Files.isDirectory(Path.of("..", dir, "src", "main", "java"))) {
            assertThat(KEEL.stream().anyMatch(c -> c.getPackageName().startsWith(root)))
                .as(
                    "the module %s exists: add it as a test dependency of reliability so that its"
                        + " layering rules check its classes (%s)",
                    dir, root)
                .isTrue();
          }
        });
  }
}
