/**
 * API: the learning switch. {@link io.pvnet.engine.bridge.Bridge} (an Agrona {@code Agent}, single-threaded) forwards
 * frames between the {@link io.pvnet.engine.port.Port}s attached to it, with 802.1Q VLANs per port
 * ({@link io.pvnet.engine.bridge.PortVlan}), a forwarding database that learns and ages stations
 * ({@link io.pvnet.engine.bridge.MacTable}), and offload finished at the egress edge only for ports that cannot take
 * it ({@link io.pvnet.engine.bridge.EgressEdge}). Built from a {@link io.pvnet.engine.bridge.BridgeConfig}; see
 * {@code docs/embedding.md} for the wiring. {@link io.pvnet.engine.bridge.Crossover} is the two-port fabric without
 * learning (a cable, as a veth pair), for two vifs back to back or a vif and one other port.
 */
package io.pvnet.engine.bridge;
