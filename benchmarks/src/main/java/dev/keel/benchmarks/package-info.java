/** Keel benchmarks: arrives with its own issue. */
package dev.keel.benchmarks;
