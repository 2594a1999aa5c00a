/**
 * One configuration model for Keel's components: the shared {@link
 * dev.keel.event.config.KeelDatabase} and {@link dev.keel.event.config.KeelKafka} values, the
 * {@link dev.keel.event.config.SchemaPolicy}, and every key a properties tree can set ({@link
 * dev.keel.event.config.ConfigKey}, read through {@link dev.keel.event.config.KeelSettings}). Each
 * component's builder takes {@code .database(db)} and {@code .kafka(kafka)}, and each offers {@code
 * fromProperties(settings)} for its own section ({@code keel.outbox.*}, {@code keel.relay.*},
 * {@code keel.consumer.*}, {@code keel.dlq.*}, {@code keel.saga.*}).
 */
package dev.keel.event.config;
