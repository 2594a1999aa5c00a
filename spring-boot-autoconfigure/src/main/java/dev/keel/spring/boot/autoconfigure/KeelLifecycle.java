package dev.keel.spring.boot.autoconfigure;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts and stops one Keel component with the Spring context: started after the context's
 * singletons exist, stopped gracefully in its shutdown phase, before the data source closes. Keel's
 * components stop before the relay does ({@link #CONSUMER_PHASE} above {@link #RELAY_PHASE}), and
 * both after a web server's graceful shutdown, so that events appended by the last requests and
 * records are still published. A stop takes up to the component's close timeout ({@code
 * keel.relay.close-timeout}, {@code keel.consumer.close-timeout}); keep {@code
 * spring.lifecycle.timeout-per-shutdown-phase} at least as long.
 *
 * <p>A stopped component is closed for good: a context stopped and started again does not restart
 * it.
 */
public final class KeelLifecycle implements SmartLifecycle {
  /** The relay's phase: started first, stopped last of Keel's components. */
  public static final int RELAY_PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  /**
   * The phase of the consumer runtimes and the saga components: stopped before the relay, after a
   * web server, so that what they append last is still published.
   */
  public static final int CONSUMER_PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

  private static final Logger log = LoggerFactory.getLogger(KeelLifecycle.class);

  private final String name;
  private final int phase;
  private final Runnable start;
  private final AutoCloseable component;
  private final BooleanSupplier running;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * A lifecycle for a component that cannot tell whether it runs: running from its start until its
   * stop.
   *
   * @param name such as {@code keel-saga-orchestrator}, in logs and thread names
   * @param phase the phase ({@link #RELAY_PHASE}, {@link #CONSUMER_PHASE})
   * @param start starts the component
   * @param component closed gracefully at stop
   */
  public KeelLifecycle(String name, int phase, Runnable start, AutoCloseable component) {
    this(name, phase, start, component, null);
  }

  /**
   * A lifecycle for one component.
   *
   * @param name such as {@code keel-relay}, in logs and thread names
   * @param phase the phase ({@link #RELAY_PHASE}, {@link #CONSUMER_PHASE})
   * @param start starts the component
   * @param component closed gracefully at stop
   * @param running whether the component runs; {@code null}: from its start until its stop
   */
  public KeelLifecycle(
      String name, int phase, Runnable start, AutoCloseable component, BooleanSupplier running) {
    this.name = Objects.requireNonNull(name, "name");
    this.phase = phase;
    this.start = Objects.requireNonNull(start, "start");
    this.component = Objects.requireNonNull(component, "component");
    this.running = running != null ? running : started::get;
  }

  @Override
  public void start() {
    if (closed.get()) {
      log.warn("{} was stopped and is closed; it is not restarted", name);
      return;
    }
    if (started.compareAndSet(false, true)) {
      start.run();
    }
  }

  @Override
  public void stop() {
    close();
  }

  @Override
  public void stop(Runnable callback) {
    // Closed on a thread of its own so that components of the same phase stop in parallel.
    Thread t =
        new Thread(
            () -> {
              try {
                close();
              } finally {
                callback.run();
              }
            },
            name + "-stop");
    t.start();
  }

  private void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        component.close();
        log.info("{} stopped", name);
      } catch (Exception e) {
        log.warn("{} did not stop cleanly: {}", name, e.toString());
      }
    }
  }

  @Override
  public boolean isRunning() {
    return !closed.get() && running.getAsBoolean();
  }

  @Override
  public int getPhase() {
    return phase;
  }

  @Override
  public String toString() {
    return "KeelLifecycle{" + name + ", phase " + phase + "}";
  }
}
