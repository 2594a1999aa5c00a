/**
 * The {@code keel} command: {@code keel dlq}, {@code keel saga}, {@code keel outbox} and {@code
 * keel advisor} in one executable jar ({@link dev.keel.cli.KeelCli}), with one table of exit codes
 * ({@link dev.keel.cli.ExitCodes}). The only place in Keel that brings JDBC drivers and a command
 * line parser.
 */
package dev.keel.cli;
