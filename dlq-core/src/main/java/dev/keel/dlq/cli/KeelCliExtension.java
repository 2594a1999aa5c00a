package dev.keel.dlq.cli;

/**
 * Adds a subcommand to the {@code keel} command line. Modules that ship operator commands (such as
 * saga-core's {@code keel saga}) implement it and list the implementation in {@code
 * META-INF/services/dev.keel.dlq.cli.KeelCliExtension}; {@link KeelCli} finds them with {@link
 * java.util.ServiceLoader}, so this module needs no dependency on them.
 *
 * <p>Implementations need a public no-argument constructor.
 */
public interface KeelCliExtension {

  /** The subcommand name, such as {@code saga}. */
  String name();

  /** A new picocli command object (annotated with {@code @Command}) for one invocation. */
  Object command();
}
