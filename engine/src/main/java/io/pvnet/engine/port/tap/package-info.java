/**
 * API: a switch port to the Linux kernel through a TAP device ({@link io.pvnet.engine.port.tap.TapPort} over a
 * {@link io.pvnet.engine.port.tap.TapDevice}), with checksum and TSO offload through the virtio-net header
 * ({@link io.pvnet.engine.port.tap.VirtioNetHeaderDescriptor}). Needs {@code CAP_NET_ADMIN} and {@code /dev/net/tun}.
 */
package io.pvnet.engine.port.tap;
