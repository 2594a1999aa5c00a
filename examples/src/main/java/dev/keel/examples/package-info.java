/** Keel examples: arrives with its own issue. */
package dev.keel.examples;
