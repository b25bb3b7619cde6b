/**
 * API: the switch's ports. Implement {@link io.pvnet.engine.port.Port} (and an Agrona {@code Agent} if it receives)
 * to add a device; declare what it offloads ({@link io.pvnet.engine.port.PortOffloads}), count into its
 * {@link io.pvnet.engine.port.PortCounters} with a {@link io.pvnet.engine.port.PortDropReason}. The bridge and the
 * router keep their ports in one {@link io.pvnet.engine.port.PortTable} behind
 * {@link io.pvnet.engine.port.SwitchFabric}. {@link io.pvnet.engine.port.VifPort} puts a vif on the switch; TAP, VXLAN
 * and pcap ports are in the sub-packages.
 */
package io.pvnet.engine.port;
