/**
 * The outbox in Spring transactions: {@link
 * dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox} appends in the caller's
 * Spring-managed transaction, without a connection argument.
 */
package dev.keel.spring.boot.autoconfigure.outbox;
