package dev.keel.outbox.lean;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox works with none of its optional dependencies: an application that uses plain JDBC
 * needs no jOOQ, and one that passes its own data source needs no HikariCP (issue #18).
 */
class LeanClassPathTest {

  /**
   * Spring (and any framework that inspects beans) resolves every parameter and return type of a
   * bean class's methods: none of the outbox's classes may name a jOOQ type, or an application
   * without jOOQ fails at start with NoClassDefFoundError. jOOQ lives in {@code JooqOutbox} alone.
   */
  @Test
  void theOutboxClassesNameNoJooqTypeInTheirMethods() throws Exception {
    for (String name :
        List.of(
            "dev.keel.outbox.Outbox",
            "dev.keel.outbox.internal.DefaultOutbox",
            "dev.keel.outbox.OutboxRelay",
            "dev.keel.outbox.internal.DefaultOutboxRelay",
            "dev.keel.outbox.OutboxAdmin",
            "dev.keel.outbox.internal.DefaultOutboxAdmin")) {
      Class<?> type = Class.forName(name);
      for (java.lang.reflect.Method m : type.getDeclaredMethods()) {
        List<Class<?>> types = new java.util.ArrayList<>(List.of(m.getParameterTypes()));
        types.add(m.getReturnType());
        assertThat(types)
            .as(name + "." + m.getName())
            .noneMatch(t -> t.getName().startsWith("org.jooq."));
      }
    }
  }

  @Test
  void appendsThroughPlainJdbcWithoutJooq() throws Exception {
    try (HidingClassPath cp = new HidingClassPath(HidingClassPath.JOOQ)) {
      assertThat(cp.sees("org.jooq.DSLContext")).isFalse();
      assertThat(cp.sees("dev.keel.outbox.Outbox")).isTrue();

      assertThat(cp.run(LeanOutboxApp.AppendThroughJdbc.class, 2)).isEqualTo(2);
    }
  }

  @Test
  void jdbcUrlWithoutHikariFailsWithAConfigurationErrorNamingTheMethod() throws Exception {
    try (HidingClassPath cp = new HidingClassPath(HidingClassPath.HIKARI)) {
      assertThat(cp.sees("com.zaxxer.hikari.HikariDataSource")).isFalse();

      assertThat(cp.run(LeanOutboxApp.RelayFromJdbcUrl.class, "127.0.0.1:1"))
          .startsWith("dev.keel.event.KeelConfigurationException: ")
          .contains("OutboxRelay.jdbcUrl needs HikariCP", "com.zaxxer:HikariCP", "dataSource");
    }
  }

  /**
   * An application that calls {@code append}/{@code appendAll} with a JDBC connection compiles with
   * no jOOQ on the compiler's class path. An overload taking a {@code DSLContext} would break this:
   * javac needs every overload's parameter types to choose one ("class file for org.jooq.DSLContext
   * not found").
   */
  @Test
  void anApplicationCompilesWithoutJooq(@TempDir Path out) throws Exception {
    String classPath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains("jooq"))
            .collect(Collectors.joining(File.pathSeparator));
    String source =
        """
        import dev.keel.event.Event;
        import dev.keel.outbox.Outbox;
        import java.sql.Connection;
        import java.util.List;
        import java.util.UUID;

        class App {
          UUID one(Outbox outbox, Connection c) {
            return outbox.append(c, Event.builder().type("order.placed").topic("orders").key("1")
                .payloadJson(java.util.Map.of("id", 1)).build());
          }

          List<UUID> many(Outbox outbox, Connection c, List<Event> events) {
            return outbox.appendAll(c, events);
          }
        }
        """;
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    SimpleJavaFileObject file =
        new SimpleJavaFileObject(
            URI.create("string:///App.java"), SimpleJavaFileObject.Kind.SOURCE) {
          @Override
          public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return source;
          }
        };
    boolean compiled =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                List.of("-classpath", classPath, "-d", out.toString(), "-proc:none"),
                null,
                List.of(file))
            .call();

    assertThat(classPath).doesNotContain("jooq").contains("keel");
    assertThat(compiled).as(diagnostics.toString()).isTrue();
    assertThat(Files.exists(out.resolve("App.class"))).isTrue();
  }
}
