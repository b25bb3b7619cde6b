/**
 * The TAP bench scenario: frames to the kernel through a TAP device, with and without offloads.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.tap;
