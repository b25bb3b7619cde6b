/**
 * JMH benchmarks and bench scenarios of the checksum module: Internet checksum variants against a C baseline, TSO
 * splitting, the packet layer and the Toeplitz hash.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.checksum;
