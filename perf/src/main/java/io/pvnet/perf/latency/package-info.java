/**
 * {@code ./pvnet latency}: fixed-rate round trips through a path ({@link io.pvnet.perf.latency.LatencyPath}: ring,
 * vif, switch, vif across processes), timed from the intended send time, with HdrHistogram outputs and plots.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.latency;
