package dev.keel.outbox.lean;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * This module's test class path without some dependencies, in a class loader of its own (its parent
 * sees only the JDK): what an application that never declared them has.
 */
final class HidingClassPath implements AutoCloseable {
  /** Where pgjdbc, HikariCP and jOOQ lie in a Maven repository. */
  static final String PGJDBC = "/org/postgresql/postgresql/";

  static final String HIKARI = "/com/zaxxer/HikariCP/";
  static final String JOOQ = "/org/jooq/";

  private final URLClassLoader loader;
  private final List<String> hidden = new ArrayList<>();

  HidingClassPath(String... hiddenPaths) {
    String classPath = System.getProperty("java.class.path");
    List<URL> urls = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      String unix = entry.replace(File.separatorChar, '/');
      boolean hide = false;
      for (String h : hiddenPaths) {
        hide |= unix.contains(h);
      }
      if (hide) {
        hidden.add(entry);
        continue;
      }
      try {
        urls.add(new File(entry).toURI().toURL());
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException(entry, e);
      }
    }
    if (hidden.size() < hiddenPaths.length) {
      throw new IllegalStateException(
          "the test class path does not hold every hidden dependency; hid only " + hidden);
    }
    loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }

  /** Whether the class loads in this class path. */
  boolean sees(String className) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * Creates {@code type} (a public class with a no-argument constructor, in this module's tests)
   * inside this class path and applies it, with this class path as the thread's context class
   * loader (Kafka's clients load their plug-ins through it; threads started inside inherit it).
   */
  @SuppressWarnings("unchecked")
  <T, R> R run(Class<? extends Function<T, R>> type, T input) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      Function<T, R> f =
          (Function<T, R>) loader.loadClass(type.getName()).getDeclaredConstructor().newInstance();
      return f.apply(input);
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  @Override
  public void close() throws Exception {
    loader.close();
  }
}
