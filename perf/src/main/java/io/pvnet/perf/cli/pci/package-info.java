/**
 * pciback's {@code ./pvnet pci} subcommands: {@code list}, {@code show}, {@code dump}, {@code hide}, {@code export}.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.cli.pci;
