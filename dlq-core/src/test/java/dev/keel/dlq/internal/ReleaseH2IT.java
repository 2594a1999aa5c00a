package dev.keel.dlq.internal;

import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import org.junit.jupiter.api.Test;

/** The H2 upgrade script of {@link ReleaseContract} (H2 checks SQL only, never a guarantee). */
@KeelTest
class ReleaseH2IT extends ReleaseContract {
  @Test
  void anInstallationFromBeforeTheClaimsUpgradesInPlace(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.H2) IsolatedDatabase db)
      throws Exception {
    super.anInstallationFromBeforeTheClaimsUpgradesInPlace(broker, topics, db);
  }
}
