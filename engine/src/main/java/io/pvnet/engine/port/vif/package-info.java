/**
 * A vif as a port of a fabric (the bridge, the router, a crossover): {@link io.pvnet.engine.port.vif.VifPort} hands
 * what the fabric sends to a vif backend. Apart from the other ports because it is the one that depends on the vif
 * halves ({@code io.pvnet.engine.VifBackend}), while the vif package sizes its counters by the port drop reasons: with
 * it in {@code io.pvnet.engine.port}, the two packages would import each other.
 */
package io.pvnet.engine.port.vif;
