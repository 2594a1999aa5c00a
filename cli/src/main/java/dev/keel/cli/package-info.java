/**
 * The {@code keel} command: {@code keel dlq}, {@code keel saga}, {@code keel outbox} and {@code
 * keel advisor} in one executable jar ({@link dev.keel.cli.KeelCli}), with one table of exit codes
 * ({@link dev.keel.cli.ExitCodes}). It brings the PostgreSQL and MariaDB drivers (at run time) and
 * picocli, so that the library modules need not.
 */
package dev.keel.cli;
