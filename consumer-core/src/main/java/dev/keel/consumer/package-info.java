/** Keel consumer-core: arrives with its own issue. */
package dev.keel.consumer;
