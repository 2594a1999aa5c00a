package dev.keel.event.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.internal.SqlStatements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TableNamesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"; drop table x; --",
        "keel\"_",
        "keel`_",
        "a b",
        "Keel_",
        "x;",
        "1abc",
        "abcdefghijabcdefghijabcdefghijabc",
        "k\u0000",
        "ke'el"
      })
  void rejectsHostilePrefixes(String prefix) {
    assertThatThrownBy(() -> TableNames.withPrefix(prefix))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("TableNames.prefix")
        .hasMessageNotContaining("\u0000");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"; drop table x; --",
        "public\".\"x",
        "",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "Public"
      })
  void rejectsHostileSchemas(String schema) {
    assertThatThrownBy(() -> TableNames.of(schema, "keel_"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("TableNames.schema");
  }

  @Test
  void rendersQuotedQualifiedNames() {
    TableNames names = TableNames.of("app", "svc_");
    assertThat(names.sql(SqlDialect.POSTGRES, "outbox")).isEqualTo("\"app\".\"svc_outbox\"");
    assertThat(names.sql(SqlDialect.MARIADB, "outbox")).isEqualTo("`app`.`svc_outbox`");
    assertThat(TableNames.defaults().sql(SqlDialect.H2, "outbox")).isEqualTo("\"keel_outbox\"");
    assertThat(TableNames.withPrefix("").name("outbox")).isEqualTo("outbox");
    assertThat(names.placeholders(SqlDialect.POSTGRES))
        .containsEntry("keel_schema_prefix", "\"app\".");
    assertThat(
            KeelSql.using(null, SqlDialect.POSTGRES)
                .render(org.jooq.impl.DSL.selectFrom(KeelSql.table(names, "outbox"))))
        .contains("\"app\".\"svc_outbox\"");
  }

  @ParameterizedTest
  @EnumSource(SqlDialect.class)
  void quotingMatchesTheDialectsQuoteCharacters(SqlDialect dialect) {
    String q = dialect.isMySqlFamily() ? "`" : "\"";
    TableNames names = TableNames.of("orders_app", "svc_");
    assertThat(dialect.quote("keel_outbox")).isEqualTo(q + "keel_outbox" + q);
    assertThat(names.sql(dialect, "dead_letter"))
        .isEqualTo(q + "orders_app" + q + "." + q + "svc_dead_letter" + q);
    assertThat(TableNames.defaults().sql(dialect, "outbox")).isEqualTo(q + "keel_outbox" + q);
    assertThat(TableNames.withPrefix("").sql(dialect, "outbox")).isEqualTo(q + "outbox" + q);
    assertThat(names.placeholders(dialect))
        .containsEntry("keel_schema_prefix", q + "orders_app" + q + ".")
        .containsEntry("keel_prefix", "svc_");
    // What the stores' jOOQ queries render for the same table.
    assertThat(KeelSql.using(null, dialect).render(KeelSql.table(names, "dead_letter")))
        .isEqualTo(names.sql(dialect, "dead_letter"));
  }

  @ParameterizedTest
  @EnumSource(SqlDialect.class)
  void quotingEscapesAnEmbeddedQuoteCharacter(SqlDialect dialect) {
    // TableNames never lets such a name through; quote() stays safe on its own all the same.
    String q = dialect.isMySqlFamily() ? "`" : "\"";
    assertThat(dialect.quote("a" + q + "b")).isEqualTo(q + "a" + q + q + "b" + q);
  }

  @Test
  void dialectDetection() {
    assertThat(SqlDialect.fromProductName("PostgreSQL")).isEqualTo(SqlDialect.POSTGRES);
    assertThat(SqlDialect.fromProductName("MariaDB")).isEqualTo(SqlDialect.MARIADB);
    assertThat(SqlDialect.fromProductName("MySQL")).isEqualTo(SqlDialect.MYSQL);
    assertThat(SqlDialect.fromProductName("H2")).isEqualTo(SqlDialect.H2);
    assertThatThrownBy(() -> SqlDialect.fromProductName("Oracle"))
        .isInstanceOf(KeelConfigurationException.class);
  }

  @Test
  void splitsScriptsOutsideQuotesAndDollarBodies() {
    String script =
        "-- a comment; with semicolon\nCREATE TABLE a(x text default 'a;b');\n"
            + "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN PERFORM 1; RETURN NULL; END $$ LANGUAGE plpgsql;\n"
            + "/* block; */ SELECT \"we;ird\" FROM `b;c`;;";
    assertThat(SqlStatements.split(script))
        .containsExactly(
            "CREATE TABLE a(x text default 'a;b')",
            "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN PERFORM 1; RETURN NULL; END $$ LANGUAGE plpgsql",
            "SELECT \"we;ird\" FROM `b;c`");
  }
}
