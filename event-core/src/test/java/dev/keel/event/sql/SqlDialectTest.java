package dev.keel.event.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The dialect's SQL fragments, without a database (their behaviour: {@code SqlDialectIT}). */
class SqlDialectTest {

  @Test
  void quotesAndQualifiesWithoutJooq() {
    assertThat(SqlDialect.POSTGRES.qualify("app", "keel_outbox"))
        .isEqualTo("\"app\".\"keel_outbox\"");
    assertThat(SqlDialect.MARIADB.qualify(null, "keel_outbox")).isEqualTo("`keel_outbox`");
  }

  @Test
  void limitsPerDialect() {
    assertThat(SqlDialect.POSTGRES.limit(5)).isEqualTo(" FETCH FIRST 5 ROWS ONLY");
    assertThat(SqlDialect.H2.limit(5)).isEqualTo(" FETCH FIRST 5 ROWS ONLY");
    assertThat(SqlDialect.MYSQL.limit(5)).isEqualTo(" LIMIT 5");
    assertThatThrownBy(() -> SqlDialect.MARIADB.limit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
  }

  @Test
  void keyIgnoringInsertsPerDialect() {
    List<String> cols = List.of("g", "k", "at");
    List<String> key = List.of("g", "k");
    assertThat(SqlDialect.POSTGRES.insertIgnoring("t", cols, key))
        .isEqualTo("INSERT INTO t (g, k, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
    assertThat(SqlDialect.MARIADB.insertIgnoring("t", cols, key))
        .isEqualTo("INSERT IGNORE INTO t (g, k, at) VALUES (?, ?, ?)");
    assertThat(SqlDialect.H2.insertIgnoring("t", cols, key))
        .isEqualTo(
            "INSERT INTO t (g, k, at) SELECT ?, ?, ? FROM (VALUES (1)) v"
                + " WHERE NOT EXISTS (SELECT 1 FROM t WHERE g = ? AND k = ?)");
    assertThat(SqlDialect.H2.insertIgnoringRebindsKey()).isTrue();
    assertThat(SqlDialect.POSTGRES.insertIgnoringRebindsKey()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(SqlDialect.class)
  void jsonParameterCastsOnPostgresOnly(SqlDialect d) {
    assertThat(d.jsonParameter()).isEqualTo(d == SqlDialect.POSTGRES ? "CAST(? AS jsonb)" : "?");
  }

  @Test
  void theDialectEnumLoadsWithoutJooq() throws Exception {
    // SqlDialect and TableNames must not reference jOOQ outside the jOOQ-only methods: load them in
    // a class loader that cannot see jOOQ.
    ClassLoader parent = SqlDialectTest.class.getClassLoader();
    ClassLoader noJooq =
        new ClassLoader(ClassLoader.getPlatformClassLoader()) {
          @Override
          protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (name.startsWith("org.jooq.")) {
              throw new ClassNotFoundException(name);
            }
            String path = name.replace('.', '/') + ".class";
            try (var in = parent.getResourceAsStream(path)) {
              if (in == null) {
                throw new ClassNotFoundException(name);
              }
              byte[] b = in.readAllBytes();
              return defineClass(name, b, 0, b.length);
            } catch (java.io.IOException e) {
              throw new ClassNotFoundException(name, e);
            }
          }
        };
    Class<?> dialect = Class.forName(SqlDialect.class.getName(), true, noJooq);
    Object postgres = dialect.getMethod("valueOf", String.class).invoke(null, "POSTGRES");
    assertThat(dialect.getMethod("quote", String.class).invoke(postgres, "x")).isEqualTo("\"x\"");
    Class<?> names = Class.forName(TableNames.class.getName(), true, noJooq);
    Object defaults = names.getMethod("defaults").invoke(null);
    assertThat(names.getMethod("sql", dialect, String.class).invoke(defaults, postgres, "outbox"))
        .isEqualTo("\"keel_outbox\"");
  }
}
