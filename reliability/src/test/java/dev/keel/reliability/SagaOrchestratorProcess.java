package dev.keel.reliability;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaOrchestrator;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One orchestrator instance of scenario 9 in its own JVM, so that the test can kill it without any
 * cleanup ({@code SIGKILL}: no close, no rollback call, no offset commit, no leave-group). It runs
 * until it is killed.
 *
 * <p>Arguments: bootstrap, jdbcUrl, user, password, group, inventory, payments, shipping, replies,
 * outcomes.
 */
public final class SagaOrchestratorProcess {
  private SagaOrchestratorProcess() {}

  public static void main(String[] args) throws Exception {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(args[1]);
    pool.setUsername(args[2]);
    pool.setPassword(args[3].isEmpty() ? null : args[3]);
    pool.setMaximumPoolSize(6);
    HikariDataSource ds = new HikariDataSource(pool);
    SagaScenario.Topics topics =
        new SagaScenario.Topics(args[5], args[6], args[7], args[8], args[9]);
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", args[0]);
    props.put("auto.offset.reset", "earliest");
    props.putAll(SagaScenario.FAST_HANDOVER);
    SagaOrchestrator o =
        SagaOrchestrator.builder()
            .dataSource(ds)
            .outbox(Outbox.builder().lanes(SagaCrashIT.LANES).build())
            .consumerProperties(props)
            .consumerRuntime(b -> b.pollTimeout(Duration.ofMillis(50)).installSchema(false))
            .installSchema(false)
            .group(args[4])
            .definition(SagaScenario.definition(topics))
            .scanInterval(Duration.ofMillis(100))
            .build();
    o.start();
    System.out.println("orchestrator started");
    Thread.currentThread().join(); // runs until killed
  }
}
