/**
 * API: a point-to-point VXLAN tunnel as a switch port ({@link io.pvnet.engine.port.vxlan.VxlanPort}, configured by a
 * {@link io.pvnet.engine.port.vxlan.VxlanConfig}; RFC 7348 header in
 * {@link io.pvnet.engine.port.vxlan.VxlanHeaderDescriptor}), over Netty's epoll transport (UDP GSO/GRO) or NIO.
 */
package io.pvnet.engine.port.vxlan;
