package dev.keel.saga;

import dev.keel.outbox.Outbox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * An orchestrator process that kills itself ({@code Runtime.halt}, no cleanup, no offset commit) at
 * one step boundary: {@code before} = inside the transaction that records the step, {@code after} =
 * as soon as that transaction is seen committed, {@code after-compensation} = as soon as the step's
 * compensation is seen committed.
 *
 * <p>Arguments: bootstrap, jdbcUrl, user, password, inventory, payments, shipping, replies,
 * outcomes, crashStep, mode, group.
 */
public final class CrashChild {
  static final int HALTED = 99;

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(args[1]);
    ds.setUser(args[2]);
    ds.setPassword(args[3]);
    String crashStep = args[9];
    boolean before = args[10].equals("before");
    SagaDefinition<SagaFixture.OrderData> def =
        SagaFixture.definition(
            args[4],
            args[5],
            args[6],
            args[7],
            args[8],
            FailurePolicy.compensate(),
            args[5],
            step -> {
              if (before && step.equals(crashStep)) {
                Runtime.getRuntime().halt(HALTED);
              }
            });
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", args[0]);
    props.put("auto.offset.reset", "earliest");
    props.putAll(OrchestratorCrashIT.FAST_HANDOVER);
    SagaOrchestrator o =
        SagaOrchestrator.builder()
            .dataSource(ds)
            .outbox(Outbox.builder().lanes(4).build())
            .consumerProperties(props)
            .consumerRuntime(b -> b.pollTimeout(Duration.ofMillis(50)))
            .group(args[11])
            .definition(def)
            .scanInterval(Duration.ofMillis(50))
            .build();
    o.start();
    System.out.println("orchestrator started");
    while (true) {
      if (!before
          && committed(ds, crashStep, args[10].equals("after") ? "ACTION_DONE" : "COMPENSATED")) {
        Runtime.getRuntime().halt(HALTED);
      }
      Thread.sleep(2); // this process only polls until it kills itself
    }
  }

  private static boolean committed(PGSimpleDataSource ds, String step, String kind)
      throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM keel_saga_step_log WHERE step = ? AND kind = ?")) {
      ps.setString(1, step);
      ps.setString(2, kind);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }
}
