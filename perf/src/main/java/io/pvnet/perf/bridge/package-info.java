/**
 * JMH benchmarks of the switch: bridge, router, and two vifs through the bridge.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.bridge;
