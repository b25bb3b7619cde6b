package io.pvnet.engine.port.vxlan;

import java.net.InetSocketAddress;

/**
 * A point-to-point VXLAN tunnel: where the port listens, the one remote VTEP it sends to, the VNI of the bridge
 * segment it carries, and the MTU of inner IP packets it sends unsplit.
 *
 * @param local  address and UDP port to bind (port 4789 normally; 0 picks a free port, for tests).
 * @param remote the remote VTEP's address and port.
 * @param vni    VXLAN network identifier, {@code 0..2^24-1}.
 * @param mtu    inner MTU (IP bytes), {@code 68..65000}; 1450 on a 1500-byte IPv4 underlay.
 */
public record VxlanConfig(InetSocketAddress local, InetSocketAddress remote, int vni, int mtu)
{
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if an address is missing, or {@code vni} or {@code mtu} is out of range.
     */
    public VxlanConfig
    {
        if (local == null || remote == null)
        {
            throw new IllegalArgumentException("local=" + local + " remote=" + remote + " must be given");
        }
        if (vni < 0 || vni > VxlanHeaderDescriptor.MAX_VNI)
        {
            throw new IllegalArgumentException("vni=" + vni + " must be in 0.." + VxlanHeaderDescriptor.MAX_VNI);
        }
        if (mtu < 68 || mtu > 65000)
        {
            throw new IllegalArgumentException("mtu=" + mtu + " must be in 68..65000");
        }
    }
}
