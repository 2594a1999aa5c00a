package dev.keel.examples.boot;

import dev.keel.dlq.DeadLetters;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaOrchestrator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the starter does not configure: the saga orchestrator (with the application's saga
 * definition) and dead letters' operator API. Both take the starter's {@link KeelDatabase} (whose
 * tables Flyway migrated) and, for dead letters, its {@link KeelKafka}.
 */
@Configuration(proxyBeanMethods = false)
class KeelBeans {

  @Bean(destroyMethod = "close")
  SagaOrchestrator sagaOrchestrator(KeelDatabase database, Outbox outbox) {
    SagaOrchestrator sagas =
        SagaOrchestrator.builder()
            .database(database)
            .outbox(outbox)
            .definition(FulfillmentSaga.DEFINITION) // local steps only: no reply consumer
            .build();
    sagas.start(); // the deadline scanner (compensation retries)
    return sagas;
  }

  @Bean(destroyMethod = "close")
  DeadLetters deadLetters(KeelDatabase database, KeelKafka kafka) {
    return DeadLetters.builder().database(database).kafka(kafka).build();
  }
}
