/** Keel dlq-core: arrives with its own issue. */
package dev.keel.dlq;
