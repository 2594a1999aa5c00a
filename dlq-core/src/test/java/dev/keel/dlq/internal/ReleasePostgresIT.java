package dev.keel.dlq.internal;

import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import org.junit.jupiter.api.Test;

/** {@link ReleaseContract} on PostgreSQL. */
@KeelTest
class ReleasePostgresIT extends ReleaseContract {
  @Test
  void aLargeBacklogIsReleasedInOrderAPageAtATime(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    super.aLargeBacklogIsReleasedInOrderAPageAtATime(broker, topics, db);
  }

  @Test
  void noLockIsHeldAcrossSendsAndRecordsParkedMeanwhileFollow(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    super.noLockIsHeldAcrossSendsAndRecordsParkedMeanwhileFollow(broker, topics, db);
  }

  @Test
  void aReplayCutOffPartWayGoesOnWhereItStoppedWhenRunAgain(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    super.aReplayCutOffPartWayGoesOnWhereItStoppedWhenRunAgain(broker, topics, db);
  }

  @Test
  void twoActionsOnOneKeyDoNotInterleave(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    super.twoActionsOnOneKeyDoNotInterleave(broker, topics, db);
  }

  @Test
  void aLargeBacklogIsDiscardedAPageAtATime(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    super.aLargeBacklogIsDiscardedAPageAtATime(broker, topics, db);
  }

  @Test
  void aReplayedRecordThatFailsAgainStopsTheReleaseAndKeepsTheOrder(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    super.aReplayedRecordThatFailsAgainStopsTheReleaseAndKeepsTheOrder(broker, topics, db);
  }

  @Test
  void parkedRecordsAreReadAPageAtATime(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    super.parkedRecordsAreReadAPageAtATime(broker, topics, db);
  }

  @Test
  void anInstallationFromBeforeTheClaimsUpgradesInPlace(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    super.anInstallationFromBeforeTheClaimsUpgradesInPlace(broker, topics, db);
  }
}
