/**
 * Keel's benchmarks: {@link dev.keel.benchmarks.Harness} runs Keel side by side with baselines it
 * runs itself (the raw idempotent producer, a minimal hand-written SKIP LOCKED relay, the same
 * transaction without the outbox insert) and prints ratios; {@code jmh} holds microbenchmarks.
 */
package dev.keel.benchmarks;
