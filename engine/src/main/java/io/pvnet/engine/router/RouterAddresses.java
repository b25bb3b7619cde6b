package io.pvnet.engine.router;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.Ipv6Header;

/**
 * The router's own addresses per port (Linux's {@code devinet.c} / {@code addrconf.c} to the forwarding's
 * {@code ip_forward.c}): each port's MAC, its optional IPv4 and IPv6 address with prefix, and its EUI-64 link-local
 * address, validated when set; the forwarding path asks whether a destination is the router's own, the neighbour
 * half and the ICMP errors which address to answer from.
 * <p>
 * Threading: set before the router thread starts (with {@link Router#attach}, {@link Router#address4},
 * {@link Router#address6}), read on it afterwards.
 */
final class RouterAddresses
{
    private static final long NO_ADDRESS = 0;

    private final long[] macs;
    private final int[] address4;
    private final long[] addressHi6;
    private final long[] addressLo6;
    private final long[] linkLocalLo;
    private int ports;

    RouterAddresses(final int maxPorts)
    {
        macs = new long[maxPorts];
        address4 = new int[maxPorts];
        addressHi6 = new long[maxPorts];
        addressLo6 = new long[maxPorts];
        linkLocalLo = new long[maxPorts];
    }

    /** Checks a port's MAC before the port is added. */
    static void checkMac(final long mac)
    {
        if (EthernetHeader.isGroup(mac) || mac == 0 || (mac >>> 48) != 0)
        {
            throw new IllegalArgumentException("mac=" + Long.toHexString(mac) + " must be a unicast 48-bit MAC");
        }
    }

    /** Gives the port just added at {@code index} its MAC (checked with {@link #checkMac}) and link-local address. */
    void port(final int index, final long mac)
    {
        macs[index] = mac;
        linkLocalLo[index] = Ipv6Header.linkLocalLo(mac);
        ports = Math.max(ports, index + 1);
    }

    /** Gives port {@code index} an IPv4 address. @throws IllegalArgumentException for a bad prefix or address 0. */
    void address4(final int index, final int address, final int prefix)
    {
        if (prefix < 1 || prefix > 32 || address == 0)
        {
            throw new IllegalArgumentException("address4 prefix=" + prefix + " must be in 1..32 with an address");
        }
        address4[index] = address;
    }

    /** Gives port {@code index} an IPv6 address. @throws IllegalArgumentException for a bad prefix or address. */
    void address6(final int index, final long hi, final long lo, final int prefix)
    {
        if (prefix < 1 || prefix > 128 || (hi == 0 && lo == 0) || (hi >>> 56) == 0xFF)
        {
            throw new IllegalArgumentException("address6 prefix=" + prefix + " must be in 1..128 with a unicast address");
        }
        addressHi6[index] = hi;
        addressLo6[index] = lo;
    }

    long mac(final int index)
    {
        return macs[index];
    }

    int address4(final int index)
    {
        return address4[index];
    }

    long addressHi6(final int index)
    {
        return addressHi6[index];
    }

    long addressLo6(final int index)
    {
        return addressLo6[index];
    }

    long linkLocalLo(final int index)
    {
        return linkLocalLo[index];
    }

    /** @return whether {@code address} is one of the ports' IPv4 addresses. */
    boolean isOwn4(final int address)
    {
        for (int i = 0; i < ports; i++)
        {
            if (address4[i] == address && address != 0)
            {
                return true;
            }
        }
        return false;
    }

    /** @return whether {@code (hi, lo)} is one of the ports' IPv6 addresses, global or link-local. */
    boolean isOwn6(final long hi, final long lo)
    {
        for (int i = 0; i < ports; i++)
        {
            if ((addressHi6[i] == hi && addressLo6[i] == lo && (hi | lo) != NO_ADDRESS) ||
                (hi == Ipv6Header.LINK_LOCAL_HI && lo == linkLocalLo[i]))
            {
                return true;
            }
        }
        return false;
    }
}
