/**
 * The engine's {@code ./pvnet} subcommands: {@code stat} and {@code ifconfig}.
 */
package io.pvnet.perf.cli.engine;
