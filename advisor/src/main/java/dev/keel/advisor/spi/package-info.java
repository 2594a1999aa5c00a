/**
 * Extension point through which running Keel components describe themselves to the advisor: see
 * {@link dev.keel.advisor.spi.TopologySource}.
 */
package dev.keel.advisor.spi;
