/**
 * API: the switch's ports. Implement {@link io.pvnet.engine.port.Port} (and an Agrona {@code Agent} if it receives)
 * to add a device; declare what it offloads ({@link io.pvnet.engine.port.PortOffloads}), count into its
 * {@link io.pvnet.engine.port.PortCounters} with a {@link io.pvnet.engine.port.PortDropReason}. The bridge and the
 * router keep their ports in one {@link io.pvnet.engine.port.PortTable} behind
 * {@link io.pvnet.engine.port.SwitchFabric}. The ports pvnet ships are in the sub-packages: {@code vif.VifPort} puts a
 * vif on the switch, then TAP, VXLAN and pcap ports (each sub-package builds on this one, never the reverse).
 */
package io.pvnet.engine.port;
