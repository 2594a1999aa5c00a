/**
 * Keel's benchmarks: {@link dev.keel.benchmarks.Harness} runs Keel side by side with baselines it
 * runs itself (the raw idempotent producer, the hand-written SKIP LOCKED loop at two batch sizes,
 * the same transaction without the outbox insert) and prints ratios; the drain contenders ({@link
 * dev.keel.benchmarks.Contender}) are shared with the JMH benchmarks in {@code jmh}.
 */
package dev.keel.benchmarks;
