package dev.keel.outbox.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls listener callbacks so that a throwing listener never disturbs the relay. */
final class Listeners {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private Listeners() {}

  static void safely(String owner, Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("OutboxRelay {}: listener threw", owner, e);
    }
  }
}
