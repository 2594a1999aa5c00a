/** The {@code keel-advisor} command line (picocli): the only code here that prints. */
package dev.keel.advisor.cli;
