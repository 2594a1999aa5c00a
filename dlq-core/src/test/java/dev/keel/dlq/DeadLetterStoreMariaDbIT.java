package dev.keel.dlq;

import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import org.junit.jupiter.api.Test;

/** The store contract on MariaDB / MySQL (skipped, with the reason, without KEEL_MARIADB_URL). */
@KeelTest
class DeadLetterStoreMariaDbIT extends DeadLetterStoreContract {
  @Test
  void keepsTheContract(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) {
    check(broker, topics, db);
  }
}
