package dev.keel.spring.boot.autoconfigure.saga;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts a saga component (the orchestrator, the participants' consumer runtime) with the Spring
 * context and closes it gracefully at shutdown, in phase {@link #PHASE}: after a web server's
 * graceful shutdown and before the relay, so that the commands, replies and outcomes they append
 * last are still published. Closing waits for the replies and commands in flight (up to {@code
 * keel.consumer.close-timeout}); keep {@code spring.lifecycle.timeout-per-shutdown-phase} at least
 * as long.
 *
 * <p>A stopped component is closed for good: a context stopped and started again does not restart
 * it.
 */
public final class SagaComponentLifecycle implements SmartLifecycle {
  /** The saga components' phase: stopped before the relay, after a web server. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

  private static final Logger log = LoggerFactory.getLogger(SagaComponentLifecycle.class);
  private static final AtomicInteger STOPPERS = new AtomicInteger();

  private final String name;
  private final Runnable start;
  private final AutoCloseable component;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * A lifecycle for one component.
   *
   * @param name such as {@code keel-saga-orchestrator}, in logs and thread names
   * @param start starts the component
   * @param component closed gracefully at stop
   */
  public SagaComponentLifecycle(String name, Runnable start, AutoCloseable component) {
    this.name = Objects.requireNonNull(name, "name");
    this.start = Objects.requireNonNull(start, "start");
    this.component = Objects.requireNonNull(component, "component");
  }

  @Override
  public void start() {
    if (closed.get()) {
      log.warn("{} was stopped and is closed; it is not restarted", name);
      return;
    }
    if (started.compareAndSet(false, true)) {
      start.run();
      log.info("{} started", name);
    }
  }

  @Override
  public void stop() {
    close();
  }

  @Override
  public void stop(Runnable callback) {
    // On a thread of its own, so that the components of this phase stop in parallel.
    Thread t =
        new Thread(
            () -> {
              try {
                close();
              } finally {
                callback.run();
              }
            },
            name + "-stop-" + STOPPERS.incrementAndGet());
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
    return started.get() && !closed.get();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public String toString() {
    return "SagaComponentLifecycle{" + name + ", phase " + PHASE + "}";
  }
}
