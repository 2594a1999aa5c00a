package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.outbox.Outbox;
import dev.keel.saga.testing.SagaTestClock;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A saga whose steps are all local needs no Kafka: its orchestrator builds and runs without
 * consumer properties, even when the definition names a reply topic out of habit. A finished saga's
 * view names the step it ended on.
 */
@KeelTest
class LocalOnlySagaIT {

  record Job(String id, boolean refuse) {}

  private static final SagaDefinition<Job> LOCAL =
      SagaDefinition.builder("local-only", Job.class)
          .replyTopic("local-only.replies") // ignored: no step sends a command
          .step("check", s -> s.local((tx, d) -> d).localCompensation((tx, d) -> d))
          .step(
              "finish",
              s ->
                  s.local(
                          (tx, d) -> {
                            if (d.refuse()) {
                              throw new NonRetriableKeelException(FailureClass.BUSINESS, "refused");
                            }
                            return d;
                          })
                      .noCompensation())
          .build();

  @Test
  void runsWithoutConsumerPropertiesAndAFinishedViewNamesItsLastStep(IsolatedDatabase db)
      throws Exception {
    assertThat(LOCAL.sendsCommands()).isFalse();
    assertThat(LOCAL.replyTopic()).isEmpty();
    DataSource ds = db.dataSource();
    try (SagaOrchestrator o =
        SagaOrchestrator.builder()
            .dataSource(ds)
            .outbox(Outbox.builder().build())
            .definition(LOCAL)
            .clock(SagaTestClock.at(TestTime.start()))
            .scanInterval(Duration.ofHours(1))
            .build()) { // no consumerProperties
      o.start();
      UUID done = start(ds, o, new Job("j-1", false));
      UUID undone = start(ds, o, new Job("j-2", true));

      SagaView completed = o.admin().byId(done).orElseThrow();
      assertThat(completed.state()).isEqualTo(SagaState.COMPLETED);
      assertThat(completed.phase()).isEqualTo(SagaPhase.DONE);
      assertThat(completed.step()).isEqualTo("finish");
      assertThat(completed.log())
          .extracting(e -> e.kind() + (e.step() == null ? "" : ":" + e.step()))
          .containsExactly("STARTED", "ACTION_DONE:check", "ACTION_DONE:finish", "COMPLETED");

      assertThat(stored(ds, "SELECT phase FROM keel_saga WHERE id = ?", done))
          .as("the enums are stored by name, as before")
          .containsExactly("DONE");
      assertThat(
              stored(
                  ds, "SELECT kind FROM keel_saga_step_log WHERE saga_id = ? ORDER BY seq", done))
          .containsExactly("STARTED", "ACTION_DONE", "ACTION_DONE", "COMPLETED");

      SagaView compensated = o.admin().byId(undone).orElseThrow();
      assertThat(compensated.state()).isEqualTo(SagaState.COMPENSATED);
      assertThat(compensated.phase()).isEqualTo(SagaPhase.DONE);
      assertThat(compensated.step()).as("the last step compensated").isEqualTo("check");
      assertThat(compensated.log())
          .extracting(StepLogEntry::kind)
          .containsExactly(
              StepLogKind.STARTED,
              StepLogKind.ACTION_DONE,
              StepLogKind.ACTION_FAILED,
              StepLogKind.COMPENSATED,
              StepLogKind.COMPENSATED);
    }
  }

  private static List<String> stored(DataSource ds, String sql, UUID id) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static UUID start(DataSource ds, SagaOrchestrator o, Job job) throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      UUID id = o.start(c, LOCAL, job);
      c.commit();
      return id;
    }
  }
}
