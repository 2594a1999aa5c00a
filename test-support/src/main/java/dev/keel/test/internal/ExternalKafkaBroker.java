package dev.keel.test.internal;

import dev.keel.test.KafkaBroker;

/** A broker that runs outside the tests, named by {@code KEEL_KAFKA_BOOTSTRAP}. */
public final class ExternalKafkaBroker implements KafkaBroker {
  private final String bootstrap;
  private final TopicAdmin admin;

  /**
   * Connects to an external broker and waits until it answers.
   *
   * @param bootstrap the {@code bootstrap.servers} value
   */
  public ExternalKafkaBroker(String bootstrap) {
    this.bootstrap = bootstrap;
    this.admin = new TopicAdmin(bootstrap);
    admin.awaitReady();
  }

  @Override
  public String bootstrapServers() {
    return bootstrap;
  }

  @Override
  public String describe() {
    return "external Kafka broker at " + bootstrap + " (" + BOOTSTRAP_ENV + ")";
  }

  @Override
  public void createTopic(String name, int partitions) {
    admin.createTopic(name, partitions);
  }

  @Override
  public boolean supportsRestart() {
    return false;
  }

  @Override
  public void stop() {
    throw new UnsupportedOperationException("An external broker cannot be stopped by the tests");
  }

  @Override
  public void restart() {
    throw new UnsupportedOperationException("An external broker cannot be restarted by the tests");
  }

  @Override
  public void close() {
    admin.close();
  }
}
