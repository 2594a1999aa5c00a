/** Extension points of dlq-core: listeners, payload redaction and the sleeper. */
package dev.keel.dlq.spi;
