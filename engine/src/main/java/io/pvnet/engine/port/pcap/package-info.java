/**
 * API: pcapng captures of switch traffic, switched on and off at run time ({@link io.pvnet.engine.port.pcap.PcapPort}
 * with a {@link io.pvnet.engine.port.pcap.CaptureSpec}): as a port of its own, or mirroring other ports' ingress
 * ({@link io.pvnet.engine.port.pcap.CaptureTee}) and egress ({@link io.pvnet.engine.port.pcap.CapturedPort}).
 */
package io.pvnet.engine.port.pcap;
