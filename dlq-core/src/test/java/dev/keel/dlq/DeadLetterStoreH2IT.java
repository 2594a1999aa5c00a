package dev.keel.dlq;

import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import org.junit.jupiter.api.Test;

/** The store contract on H2 (SQL-layer check only, never the proof of a guarantee). */
@KeelTest
class DeadLetterStoreH2IT extends DeadLetterStoreContract {
  @Test
  void keepsTheContract(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.H2) IsolatedDatabase db) {
    check(broker, topics, db);
  }
}
