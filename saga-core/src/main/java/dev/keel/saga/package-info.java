/** Keel saga-core: arrives with its own issue. */
package dev.keel.saga;
