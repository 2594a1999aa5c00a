/**
 * Helpers that every Keel module shares: value checks and quoting for error messages ({@code
 * Values}), secret masking ({@code Secrets}), SQLState classes ({@code SqlStates}), the one
 * transaction helper ({@code Transactions}), verified operator identities ({@code Actors}), UTF-8
 * checks ({@code Utf8}) and the named pause points tests use to reproduce races ({@code
 * PausePoints}).
 *
 * <p>Not part of Keel's API: applications should not use these types, which may change in any
 * release. They live apart from {@code dev.keel.event.internal}, which only event-core itself uses
 * (the layering test in {@code reliability} enforces both).
 */
package dev.keel.event.support;
