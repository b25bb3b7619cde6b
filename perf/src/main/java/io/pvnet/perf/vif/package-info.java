/**
 * The vif benchmarks (netfront to xnb to netfront), their Agrona and Aeron IPC baselines, guests in other JVMs, and
 * {@code ./pvnet vif-run}.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.vif;
