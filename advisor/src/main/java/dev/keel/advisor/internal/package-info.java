/**
 * Implementation of the advisor; not an API. {@code yaml} reads the schema with line numbers,
 * {@code rules} holds the review rules (one class per family), {@code modes} builds each mode's
 * document, {@code doc} renders documents to Markdown and JSON.
 */
package dev.keel.advisor.internal;
