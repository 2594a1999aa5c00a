/** Kafka adapter of dlq-core: records in and out, the producer and topic creation. */
package dev.keel.dlq.kafka;
