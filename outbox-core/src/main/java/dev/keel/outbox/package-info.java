/** Keel outbox-core: arrives with its own issue. */
package dev.keel.outbox;
