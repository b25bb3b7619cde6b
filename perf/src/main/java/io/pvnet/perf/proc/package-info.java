/**
 * What Linux's {@code /proc} tells the perf commands about processes: {@link io.pvnet.perf.proc.ProcThreads}, the
 * threads of one process (ids, names, scheduler counters). Depends on no other perf package.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.proc;
