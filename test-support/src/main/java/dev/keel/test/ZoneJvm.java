package dev.keel.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@code main} class of the test class path in a child JVM whose default time zone is the
 * one given, for tests that check that stored instants do not depend on the JVM's zone (a JVM's
 * default zone is read once by JDBC drivers, so switching it inside one JVM proves little).
 *
 * <p>The child reports by printing {@code name=value} lines (no spaces); everything else it prints
 * (logs) is kept in a log file named in the failure message.
 */
public final class ZoneJvm {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private ZoneJvm() {}

  /**
   * Runs {@code main} with {@code -Duser.timezone=zone} and returns its {@code name=value} lines.
   *
   * @param main the class whose {@code main} to run, on this JVM's class path
   * @param zone a time-zone id, such as {@code Asia/Tokyo}
   * @param args the arguments
   * @throws AssertionError when the child does not end within a minute or exits with another code
   *     than 0
   */
  public static Map<String, String> run(Class<?> main, String zone, String... args)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("keel-zone-" + main.getSimpleName() + "-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Duser.timezone=" + zone);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    Process child =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!child.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError(
          main.getSimpleName() + " in " + zone + " did not end within " + TIMEOUT + "; log " + log);
    }
    List<String> lines = Files.readAllLines(log);
    if (child.exitValue() != 0) {
      throw new AssertionError(
          main.getSimpleName()
              + " in "
              + zone
              + " exited with "
              + child.exitValue()
              + "; output "
              + lines);
    }
    Map<String, String> out = new HashMap<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.contains(" ")) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }
}
