/** Runnable examples of Keel on the embedded Kafka broker and PostgreSQL. */
package dev.keel.examples;
