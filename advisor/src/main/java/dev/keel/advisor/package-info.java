/** Keel advisor: arrives with its own issue. */
package dev.keel.advisor;
