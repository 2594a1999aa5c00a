/** The operator CLI: {@code keel dlq list|show|replay|discard|audit}. */
package dev.keel.dlq.cli;
