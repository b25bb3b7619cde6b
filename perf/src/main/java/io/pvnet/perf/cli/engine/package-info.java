/**
 * The engine's {@code ./pvnet} subcommands: {@code switch}, {@code guest}, {@code gen}, {@code stat} and
 * {@code ifconfig}.
 * Internal: part of the pvnet application, not API (perf publishes no javadoc and promises no compatibility).
 */
package io.pvnet.perf.cli.engine;
