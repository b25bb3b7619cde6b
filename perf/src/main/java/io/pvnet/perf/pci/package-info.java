/**
 * The pciback bench scenario.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.pci;
