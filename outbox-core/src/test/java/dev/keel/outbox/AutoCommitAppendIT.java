package dev.keel.outbox;

import static dev.keel.outbox.OutboxFixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.sql.KeelSql;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import java.sql.Connection;
import java.util.List;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/** An append on an auto-commit connection would commit on its own: it is refused, unwritten. */
@KeelTest
class AutoCommitAppendIT {

  @Test
  void autoCommitConnectionIsRefusedBeforeAnythingIsWritten(IsolatedDatabase db) throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Outbox outbox = Outbox.builder().lanes(8).build();
    OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
    try (Connection c = db.dataSource().getConnection()) {
      assertThat(c.getAutoCommit()).isTrue();
      assertThatThrownBy(() -> outbox.append(c, event("orders", "k", "{}")))
          .isInstanceOf(AutoCommitConnectionException.class)
          .hasMessageContaining("auto-commit is on");
      assertThatThrownBy(
              () ->
                  outbox.appendAll(
                      c, List.of(event("orders", "k", "{}"), event("orders", "k", "{}"))))
          .isInstanceOf(AutoCommitConnectionException.class);
      SqlDialect dialect = SqlDialect.detect(db.dataSource());
      assertThatThrownBy(
              () ->
                  JooqOutbox.append(outbox, KeelSql.using(c, dialect), event("orders", "k", "{}")))
          .isInstanceOf(AutoCommitConnectionException.class);
    }
    // a jOOQ context over the data source, outside a transaction: each call gets an auto-commit
    // connection of its own
    var dsl = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
    assertThatThrownBy(() -> JooqOutbox.appendAll(outbox, dsl, List.of(event("orders", "k", "{}"))))
        .isInstanceOf(AutoCommitConnectionException.class);
    assertThat(admin.pending()).isZero();

    // the same context inside a transaction, and a connection with auto-commit off, are accepted
    dsl.transaction(cfg -> JooqOutbox.append(outbox, DSL.using(cfg), event("orders", "k", "{}")));
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      outbox.appendAll(c, List.of(event("orders", "k", "{}"), event("orders", "k", "{}")));
      c.commit();
    }
    assertThat(admin.pending()).isEqualTo(3);
  }
}
