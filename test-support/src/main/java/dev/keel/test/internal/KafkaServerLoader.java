package dev.keel.test.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.JarURLConnection;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads the embedded broker from keel-test-kafka-server into a class loader of its own: Kafka's
 * server jars and their own kafka-clients, Scala and Jackson are nested in that artifact (under
 * {@value #LIB}) and never on the test's class path, so the application's kafka-clients, whatever
 * its version, and the broker's do not meet. The loader shares only the JDK and SLF4J (the broker
 * logs through the application's binding, see {@link QuietServerLogging}).
 *
 * <p>From a jar, the nested jars are extracted once into a directory under the system temp
 * directory named by a digest of their names, sizes and checksums ({@code keel-kafka-server-...}),
 * and reused by later test JVMs; from a reactor build's classes directory they are used in place.
 *
 * <p>Calls into the broker go through {@code KafkaServerRuntime} by reflection, with JDK types
 * only, and with the thread's context class loader set to the broker's (Kafka resolves class-typed
 * settings and starts its threads with it).
 */
final class KafkaServerLoader {
  /** Where keel-test-kafka-server nests the server jars. */
  static final String LIB = "META-INF/keel-kafka-server/lib/";

  static final String RUNTIME = "dev.keel.test.internal.kafkaserver.KafkaServerRuntime";
  private static final String RUNTIME_RESOURCE = RUNTIME.replace('.', '/') + ".class";

  private static KafkaServerLoader instance;

  private final ClassLoader loader;
  private final Class<?> runtime;

  private KafkaServerLoader(ClassLoader loader) throws ClassNotFoundException {
    this.loader = loader;
    this.runtime = Class.forName(RUNTIME, true, loader);
  }

  /** The one loader of this JVM, created on first use. */
  static synchronized KafkaServerLoader get() {
    if (instance == null) {
      try {
        instance = new KafkaServerLoader(createLoader());
      } catch (ClassNotFoundException | IOException e) {
        throw new IllegalStateException(
            "Could not load the embedded Kafka broker from keel-test-kafka-server: " + e, e);
      }
    }
    return instance;
  }

  /** The class loader the broker runs in (tests). */
  ClassLoader classLoader() {
    return loader;
  }

  /** The server jars' Kafka version. */
  String version() {
    return (String) call("version", new Class<?>[0]);
  }

  /** Formats a fresh log directory for one KRaft node. */
  void format(Path dir, int nodeId) {
    call("format", new Class<?>[] {String.class, int.class}, dir.toString(), nodeId);
  }

  /** Starts a server; closing the result stops it and waits until it has stopped. */
  AutoCloseable launch(Map<String, String> config) {
    AutoCloseable server =
        (AutoCloseable) call("launch", new Class<?>[] {Map.class}, Map.copyOf(config));
    return () ->
        inLoader(
            () -> {
              server.close();
              return null;
            });
  }

  private Object call(String name, Class<?>[] types, Object... args) {
    Method m;
    try {
      m = runtime.getMethod(name, types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(
          RUNTIME + "." + name + " is missing: keel-test and keel-test-kafka-server differ", e);
    }
    return inLoader(
        () -> {
          try {
            return m.invoke(null, args);
          } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
              throw r;
            }
            if (cause instanceof Error err) {
              throw err;
            }
            throw new IllegalStateException(cause);
          }
        });
  }

  private <T> T inLoader(Callable<T> action) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return action.call();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static ClassLoader createLoader() throws IOException {
    ClassLoader own = KafkaServerLoader.class.getClassLoader();
    URL marker = own.getResource(RUNTIME_RESOURCE);
    if (marker == null) {
      throw new IllegalStateException(
          "keel-test-kafka-server is not on the class path (keel-test depends on it; was it"
              + " excluded?)");
    }
    List<URL> urls = new ArrayList<>();
    try {
      if ("file".equals(marker.getProtocol())) {
        // a reactor build's classes directory
        Path classFile = Path.of(marker.toURI());
        Path root = classFile;
        for (int i = 0; i < RUNTIME_RESOURCE.split("/").length; i++) {
          root = root.getParent();
        }
        try (Stream<Path> jars = Files.list(root.resolve(LIB))) {
          for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
            urls.add(jar.toUri().toURL());
          }
        }
        urls.add(root.toUri().toURL());
      } else if ("jar".equals(marker.getProtocol())) {
        JarURLConnection connection = (JarURLConnection) marker.openConnection();
        connection.setUseCaches(false);
        URL jarUrl = connection.getJarFileURL();
        urls.addAll(
            extract(Path.of(jarUrl.toURI()), Path.of(System.getProperty("java.io.tmpdir"))));
        urls.add(jarUrl);
      } else {
        throw new IllegalStateException(
            "Cannot load the embedded Kafka broker from " + marker + ": not a file or a jar");
      }
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot load the embedded Kafka broker from " + marker, e);
    }
    if (urls.size() < 2) {
      throw new IllegalStateException(
          "keel-test-kafka-server at "
              + urls.get(urls.size() - 1)
              + " holds no server jars under "
              + LIB);
    }
    // The nested jars come first, the artifact itself (for KafkaServerRuntime) last: when it is
    // merged into a larger jar (a shaded one), the Kafka classes still come from the nested jars.
    return new URLClassLoader("keel-kafka-server", urls.toArray(URL[]::new), new SharedParent(own));
  }

  /**
   * Extracts the nested jars of {@code outer} into a directory under {@code tempRoot} named by a
   * digest of their names, sizes and checksums, reused by later JVMs (a file of the wrong size is
   * written again); returns their URLs in name order.
   */
  static List<URL> extract(Path outer, Path tempRoot) throws IOException {
    try (JarFile jar = new JarFile(outer.toFile())) {
      List<JarEntry> entries =
          new ArrayList<>(
              Collections.list(jar.entries()).stream()
                  .filter(e -> e.getName().startsWith(LIB) && e.getName().endsWith(".jar"))
                  .toList());
      entries.sort((a, b) -> a.getName().compareTo(b.getName()));
      Path dir = tempRoot.resolve("keel-kafka-server-" + digest(entries));
      Files.createDirectories(dir);
      List<URL> urls = new ArrayList<>();
      for (JarEntry e : entries) {
        Path target = dir.resolve(e.getName().substring(LIB.length()));
        if (!Files.isRegularFile(target) || Files.size(target) != e.getSize()) {
          // written apart and moved in whole: a JVM extracting at the same time never sees half
          Path part = Files.createTempFile(dir, "part-", ".tmp");
          try (InputStream in = jar.getInputStream(e)) {
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(
                part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          } catch (IOException moveFailed) {
            // another JVM put the same jar there first (and may hold it open): use that one
            if (!Files.isRegularFile(target) || Files.size(target) != e.getSize()) {
              throw moveFailed;
            }
          } finally {
            Files.deleteIfExists(part);
          }
        }
        urls.add(target.toUri().toURL());
      }
      return urls;
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String digest(List<JarEntry> entries) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (JarEntry e : entries) {
        sha.update(
            (e.getName() + ' ' + e.getSize() + ' ' + e.getCrc() + '\n')
                .getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The broker loader's parent: the JDK's platform classes, and SLF4J's API from the test's class
   * path. Nothing else of the test's class path (its kafka-clients, Jackson, Scala) is visible to
   * the broker.
   */
  private static final class SharedParent extends ClassLoader {
    private final ClassLoader shared;

    SharedParent(ClassLoader shared) {
      super("keel-kafka-server-parent", ClassLoader.getPlatformClassLoader());
      this.shared = shared;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("org.slf4j.")) {
        return shared.loadClass(name);
      }
      return super.loadClass(name, resolve);
    }

    @Override
    protected URL findResource(String name) {
      return name.startsWith("org/slf4j/") ? shared.getResource(name) : null;
    }
  }
}
