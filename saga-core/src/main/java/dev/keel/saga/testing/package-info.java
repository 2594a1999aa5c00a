/** Helpers for testing sagas: a clock that tests move by hand. */
package dev.keel.saga.testing;
