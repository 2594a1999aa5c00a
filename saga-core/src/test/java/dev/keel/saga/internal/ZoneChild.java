package dev.keel.saga.internal;

import dev.keel.consumer.internal.DedupeStore;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.saga.SagaState;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A JVM of {@link InstantZonesIT}, run with {@code -Duser.timezone}: {@code write} stores a saga
 * whose deadline is the given instant, a participant row and a dedupe row processed at it, through
 * Keel's stores; {@code read} reads them back through the same stores and prints what it sees as
 * {@code key=value} lines.
 *
 * <p>Arguments: mode, jdbcUrl, user, password, instant, saga id.
 */
public final class ZoneChild {
  private ZoneChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String url = args[1];
    String user = args[2];
    String password = args[3];
    Instant at = Instant.parse(args[4]);
    UUID id = UUID.fromString(args[5]);
    DataSource ds = dataSource(url, user, password);
    System.out.println("zone=" + ZoneId.systemDefault());
    try (Connection c = ds.getConnection()) {
      SqlDialect d = SqlDialect.detect(c);
      TableNames names = TableNames.defaults();
      SagaStore sagas = new SagaStore(d, names);
      DedupeStore dedupe = new DedupeStore(d, names);
      c.setAutoCommit(false);
      if (mode.equals("write")) {
        sagas.insert(c, row(id, at));
        new ParticipantStore(d, names, Clock.fixed(at, ZoneOffset.UTC))
            .put(c, "g", id.toString(), "s1", null, ParticipantStore.APPLIED, null, null, "t");
        dedupe.insert(c, "g", id.toString(), at);
        c.commit();
        System.out.println("written=" + at);
        return;
      }
      System.out.println("deadline=" + sagas.lock(c, id).orElseThrow().deadline);
      c.rollback();
      System.out.println("dueJustBefore=" + sagas.claimDue(c, at.minusNanos(1_000)).isPresent());
      c.rollback();
      System.out.println("dueAt=" + sagas.claimDue(c, at).map(r -> r.id).orElse(null));
      c.rollback();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT updated_at FROM "
                  + names.sql(d, "saga_participant")
                  + " WHERE saga_id = ?")) {
        ps.setString(1, id.toString());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          System.out.println("participantUpdatedAt=" + d.getInstant(rs, 1));
        }
      }
      c.rollback();
      // Retention: a row processed at `at` is not older than `at`, but is older than just after.
      System.out.println("expiredAtCutoff=" + dedupe.deleteExpired(ds, "g", at, 10));
      System.out.println(
          "expiredJustAfter=" + dedupe.deleteExpired(ds, "g", at.plusNanos(1_000), 10));
    }
  }

  private static SagaRow row(UUID id, Instant at) {
    SagaRow r = new SagaRow();
    r.id = id;
    r.name = "zones";
    r.definitionVersion = 1;
    r.state = SagaState.RUNNING;
    r.stepIndex = 0;
    r.stepName = "s1";
    r.phase = dev.keel.saga.SagaPhase.AWAIT;
    r.attempt = 1;
    r.dataJson = "{}";
    r.dataVersion = 1;
    r.deadline = at;
    r.createdAt = at;
    r.updatedAt = at;
    r.stepStartedAt = at;
    r.lastProgressAt = at;
    return r;
  }

  /** Connections straight from the driver, each in this JVM's default zone. */
  private static DataSource dataSource(String url, String user, String password) {
    return (DataSource)
        Proxy.newProxyInstance(
            ZoneChild.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, margs) -> {
              if (method.getName().equals("getConnection")) {
                return DriverManager.getConnection(url, user, password);
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
