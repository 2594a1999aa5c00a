package dev.keel.dlq.internal;

import dev.keel.dlq.spi.DeadLetterListener;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls listeners, logging and swallowing what they throw. */
final class Listeners {
  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private Listeners() {}

  static void fire(List<DeadLetterListener> listeners, Consumer<DeadLetterListener> call) {
    for (DeadLetterListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        log.warn("Dead-letter listener {} failed: {}", l.getClass().getName(), e.toString());
      }
    }
  }
}
