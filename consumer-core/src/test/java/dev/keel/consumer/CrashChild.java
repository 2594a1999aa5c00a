package dev.keel.consumer;

import dev.keel.consumer.Fixture.Item;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer process that {@link CrashRecoveryIT} kills with SIGKILL: it handles records slowly and
 * never commits an offset while running (commit interval of an hour), so every record it finished
 * has its database commit and no offset commit.
 */
public final class CrashChild {
  private CrashChild() {}

  /**
   * @param args bootstrap servers, topic, group, JDBC URL, user, password
   */
  public static void main(String[] args) throws Exception {
    AtomicLong handled = new AtomicLong();
    ConsumerRuntime runtime =
        ConsumerRuntime.builder()
            .consumerProperties(
                Map.of(
                    "bootstrap.servers",
                    args[0],
                    "auto.offset.reset",
                    "earliest",
                    // the broker's minimum: the group notices the dead member within 6 s
                    "session.timeout.ms",
                    6000,
                    "heartbeat.interval.ms",
                    1000))
            .jdbcUrl(args[3], args[4], args[5])
            .commitInterval(Duration.ofHours(1))
            .pollTimeout(Duration.ofMillis(50))
            .listener(
                ListenerDefinition.builder()
                    .topic(args[1])
                    .group(args[2])
                    .payloadType(Item.class)
                    .handler(
                        d -> {
                          Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                          Thread.sleep(5); // workload: leaves time to be killed mid-stream
                        })
                    .build())
            .build();
    runtime.start();
    System.out.println("started");
    new CountDownLatch(1).await(); // until killed
  }
}
