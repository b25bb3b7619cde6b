/**
 * What the bench harness gives every scenario and command: {@link io.pvnet.perf.harness.Scenario} and its
 * {@link io.pvnet.perf.harness.ScenarioContext} (duration, options, progress lines, results, baselines), the
 * {@link io.pvnet.perf.harness.ProgressPrinter}, and the {@code --idle} option's
 * {@link io.pvnet.perf.harness.IdleConverter}. Depends on no other perf package, so the scenario packages
 * ({@code checksum}, {@code ring}, {@code pci}, {@code tap}, {@code vif}, {@code bench}) build on it without cycles.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.harness;
