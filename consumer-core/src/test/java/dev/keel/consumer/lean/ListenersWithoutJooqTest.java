package dev.keel.consumer.lean;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.consumer.KeelListener;
import dev.keel.consumer.internal.AnnotatedListeners;
import dev.keel.event.Event;
import dev.keel.event.contract.EventContracts;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * jOOQ is optional in consumer-core: listeners that take no {@code DSLContext} are resolved with
 * jOOQ absent from the class path (issue #18).
 */
class ListenersWithoutJooqTest {

  @Test
  void listenersWithoutADslContextResolveWithoutJooq() throws Exception {
    try (URLClassLoader withoutJooq = classPathWithout("/org/jooq/")) {
      assertThat(visible("org.jooq.DSLContext", withoutJooq)).isFalse();
      @SuppressWarnings("unchecked")
      Supplier<String> resolve =
          (Supplier<String>)
              withoutJooq
                  .loadClass(ResolveListeners.class.getName())
                  .getDeclaredConstructor()
                  .newInstance();

      assertThat(resolve.get()).isEqualTo("1 listener(s) on orders");
    }
  }

  /** Runs inside the class loader without jOOQ: resolves a listener with JDBC parameters. */
  public static final class ResolveListeners implements Supplier<String> {
    @Override
    public String get() {
      var defs = AnnotatedListeners.of(new Orders(), EventContracts.none());
      return defs.size() + " listener(s) on " + defs.get(0).topic();
    }
  }

  /** The payload of the listener below. */
  public record Order(String id) {}

  /** A listener that uses plain JDBC and a decoded payload (every parameter kind but jOOQ's). */
  public static final class Orders {
    @KeelListener(topic = "orders", group = "billing", type = "order.placed")
    public void on(Order order, Event event, Connection connection) {}
  }

  private static boolean visible(String name, ClassLoader loader) {
    try {
      Class.forName(name, false, loader);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** This module's test class path without the entries under {@code hidden}, over the JDK only. */
  private static URLClassLoader classPathWithout(String hidden) throws MalformedURLException {
    List<URL> urls = new ArrayList<>();
    boolean found = false;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.replace(File.separatorChar, '/').contains(hidden)) {
        found = true;
      } else {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    assertThat(found).as("%s on the test class path", hidden).isTrue();
    return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }
}
