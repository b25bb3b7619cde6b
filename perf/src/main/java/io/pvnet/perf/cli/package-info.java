/**
 * The {@code ./pvnet} command line (picocli): {@link io.pvnet.perf.cli.PvnetMain} lists every command; {@code jmh} and
 * {@code offload} live here, the engine's and pciback's commands in the subpackages.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.cli;
