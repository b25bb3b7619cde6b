/**
 * The pvnet application: the executable jar behind {@code ./pvnet} (its commands, the {@code bench} and
 * {@code latency} harnesses and the JMH benchmarks). Not a library: nothing here is API, every package of this module is
 * internal, the module publishes no javadoc ({@code maven.javadoc.skip} in its pom) and any class may change without
 * notice. Embedders use the library modules ({@code pvnet-ring}, {@code pvnet-checksum}, {@code pvnet-engine},
 * {@code pvnet-pci-passthrough}; see {@code docs/embedding.md}). {@link io.pvnet.perf.BuildInfo} carries the version
 * and commit {@code ./pvnet -V} prints. See {@code perf/README.md}.
 */
package io.pvnet.perf;
