/**
 * {@code ./pvnet bench}: scenarios ({@link io.pvnet.perf.harness.Scenario}, listed in
 * {@link io.pvnet.perf.bench.Scenarios}), each measured with its baseline in the same run, the summary table, JSON/CSV
 * and {@code --compare}.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.bench;
