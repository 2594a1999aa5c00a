package dev.keel.compat.boot;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

/** Versions of the libraries on this test's class path, read from the jars themselves. */
final class Versions {
  private Versions() {}

  /** The kafka-clients version on the class path, as Kafka reports it to brokers. */
  static String kafkaClients() throws ReflectiveOperationException {
    // AppInfoParser moved to an internals package in Kafka 4.2; Boot's 4.1 has it one level up.
    for (String name :
        new String[] {
          "org.apache.kafka.common.utils.AppInfoParser",
          "org.apache.kafka.common.utils.internals.AppInfoParser"
        }) {
      try {
        return (String) Class.forName(name).getMethod("getVersion").invoke(null);
      } catch (ClassNotFoundException e) {
        // try the other package
      }
    }
    throw new ClassNotFoundException("no AppInfoParser in kafka-clients");
  }

  /**
   * The version in the manifest of the jar that holds {@code type} ({@code Implementation-Version},
   * else {@code Bundle-Version}).
   */
  static String ofJar(Class<?> type) throws IOException {
    URL jar = type.getProtectionDomain().getCodeSource().getLocation();
    try (InputStream in = jar.openStream();
        JarInputStream j = new JarInputStream(in)) {
      Manifest m = j.getManifest();
      if (m == null) {
        throw new IllegalStateException(jar + " has no manifest");
      }
      String v = m.getMainAttributes().getValue("Implementation-Version");
      if (v == null) {
        v = m.getMainAttributes().getValue("Bundle-Version");
      }
      if (v == null) {
        throw new IllegalStateException(jar + " names no version in its manifest");
      }
      return v;
    }
  }

  /** The expected version passed by the build (the pom's {@code boot.*} properties). */
  static String expected(String key) {
    String v = System.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(
          "System property " + key + " is not set: run the test through Maven (see the pom)");
    }
    return v;
  }
}
