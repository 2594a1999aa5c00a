/** Extension points of dlq-core: listeners and payload redaction (the sleeper is retry-core's). */
package dev.keel.dlq.spi;
