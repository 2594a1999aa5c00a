package dev.keel.dlq;

import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import org.junit.jupiter.api.Test;

/** The store contract on PostgreSQL. */
@KeelTest
class DeadLetterStorePostgresIT extends DeadLetterStoreContract {
  @Test
  void keepsTheContract(KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    check(broker, topics, db);
  }
}
