package dev.keel.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void everyReportedRecordLandsInABucketAndTheDrainEndsAtTheLastOne() {
    Progress p = new Progress(1000);
    for (int i = 0; i < 10; i++) {
      p.add(100);
    }
    Progress.Result r = p.result();
    assertThat(Arrays.stream(r.buckets()).sum()).isEqualTo(1000);
    assertThat(r.nanos()).isGreaterThanOrEqualTo(r.firstNanos()).isPositive();
    assertThat(r.firstFifthRate()).isPositive();
    assertThat(r.lastFifthRate()).isPositive();
    assertThat(p.done()).isEqualTo(1000);
  }

  @Test
  void aSingleReportHasNoLastFifthOfItsOwn() {
    Progress p = new Progress(500);
    p.add(500);
    Progress.Result r = p.result();
    assertThat(r.lastFifthRate()).isNaN();
    assertThat(r.firstFifthRate()).isPositive();
  }

  @Test
  void anIncompleteDrainHasNoResult() {
    Progress p = new Progress(100);
    p.add(10);
    assertThatThrownBy(p::result)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("10 of 100");
  }

  @Test
  void waitingGivesUpWithTheCount() {
    Progress p = new Progress(5);
    assertThatThrownBy(() -> p.await(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("0 of 5");
  }

  @Test
  void waitingReturnsOnceComplete() throws Exception {
    Progress p = new Progress(2);
    p.add(2);
    p.await(1);
    assertThat(p.result().nanos()).isPositive();
  }

  @Test
  void rejectsAnEmptyBacklog() {
    assertThatThrownBy(() -> new Progress(0)).hasMessageContaining("was 0");
  }
}
