package dev.keel.dlq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.dlq.FailedRecord;
import dev.keel.event.FailureClass;
import dev.keel.event.sql.SqlDialect;
import dev.keel.test.TestTime;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * {@link DeadLetters} works on the tables a {@link DeadLetterStore} names (its data source,
 * dialect, table names and clock), whatever class implements it: a store wrapped by the application
 * (here a delegating proxy) is not refused for not being the JDBC class.
 */
class StoreOfAnyImplementationTest {

  @Test
  void deadLettersWorkOnAWrappedStore() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:wrapped-store;DB_CLOSE_DELAY=-1");
    DeadLetterStore real = DeadLetterStore.builder().dataSource(ds).dialect(SqlDialect.H2).build();
    real.install();
    DeadLetterStore wrapped =
        (DeadLetterStore)
            Proxy.newProxyInstance(
                DeadLetterStore.class.getClassLoader(),
                new Class<?>[] {DeadLetterStore.class},
                (proxy, method, args) -> {
                  try {
                    return method.invoke(real, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    Instant now = TestTime.start();
    DeadLetter stored =
        JdbcDeadLetterStore.over(wrapped)
            .insert(
                new NewDeadLetter(
                    "billing",
                    "orders",
                    0,
                    7L,
                    null,
                    null,
                    FailureClass.VALIDATION,
                    "x.Poison",
                    "poison",
                    null,
                    1,
                    now,
                    now,
                    now,
                    List.of(FailedRecord.Header.of("keel-event-id", UUID.randomUUID().toString())),
                    "v".getBytes(StandardCharsets.UTF_8),
                    null,
                    null,
                    null),
                false)
            .letter();

    try (DeadLetters ops = DeadLetters.builder().store(wrapped).build()) {
      assertThat(ops.discard(DeadLetterQuery.byId(stored.id()), "alice").records()).isEqualTo(1);
    }
    assertThat(real.get(stored.id()).orElseThrow().status()).isEqualTo(DeadLetterStatus.DISCARDED);
  }
}
