/** Micrometer adapter of dlq-core. */
package dev.keel.dlq.micrometer;
