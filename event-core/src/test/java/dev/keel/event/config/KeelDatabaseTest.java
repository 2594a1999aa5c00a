package dev.keel.event.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import java.util.Map;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class KeelDatabaseTest {
  private final DataSource ds = new JdbcDataSource();

  @Test
  void defaults() {
    KeelDatabase db = KeelDatabase.fromProperties(ds, Map.of(), "keel");
    assertThat(db.tableNames().prefix()).isEqualTo(TableNames.DEFAULT_PREFIX);
    assertThat(db.tableNames().schema()).isEmpty();
    assertThat(db.schemaPolicy()).isEqualTo(SchemaPolicy.INSTALL);
    assertThat(db.dialect()).isEmpty();
  }

  @Test
  void readsEveryDatabaseKey() {
    KeelDatabase db =
        KeelDatabase.fromProperties(
            ds,
            Map.of(
                "keel.database.schema", "app",
                "keel.database.table-prefix", "svc_",
                "keel.database.schema-policy", "validate",
                "keel.database.dialect", "H2"),
            "keel");
    assertThat(db.tableNames().schema()).contains("app");
    assertThat(db.tableNames().prefix()).isEqualTo("svc_");
    assertThat(db.schemaPolicy()).isEqualTo(SchemaPolicy.VALIDATE);
    assertThat(db.dialect()).contains(SqlDialect.H2);
    assertThat(db.toString()).contains("app.svc_*").contains("VALIDATE");
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(
            () ->
                KeelDatabase.fromProperties(
                    ds, Map.of("keel.database.table-prefix", "Bad-Prefix"), "keel"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("keel.database.table-prefix");
    assertThatThrownBy(
            () ->
                KeelDatabase.fromProperties(ds, Map.of("keel.database.dialect", "oracle"), "keel"))
        .hasMessageStartingWith("keel.database.dialect must be one of POSTGRES, MYSQL");
    assertThatThrownBy(
            () -> KeelDatabase.fromProperties(ds, Map.of("keel.database.pool", "x"), "keel"))
        .hasMessageStartingWith("Unknown Keel configuration key(s) keel.database.pool");
  }

  @Test
  void aDataSourceIsRequired() {
    assertThatThrownBy(() -> KeelDatabase.builder().build())
        .hasMessage("KeelDatabase.dataSource is required");
  }
}
