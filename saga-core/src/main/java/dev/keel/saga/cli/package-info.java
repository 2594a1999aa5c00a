/**
 * The {@code keel saga} operator commands: list, show, stuck, retry, resolve, audit. Registered
 * into the {@code keel} command line when saga-core is on its classpath, and runnable on their own
 * through {@link dev.keel.saga.cli.SagaCli}.
 */
package dev.keel.saga.cli;
