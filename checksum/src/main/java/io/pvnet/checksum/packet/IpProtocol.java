package io.pvnet.checksum.packet;

/** IP protocol / IPv6 next-header numbers (IANA) the packet layer knows. */
public final class IpProtocol
{
    /** Hop by hop. */
    public static final int HOP_BY_HOP = 0;
    /** ICMP. */
    public static final int ICMP = 1;
    /** Tcp. */
    public static final int TCP = 6;
    /** Udp. */
    public static final int UDP = 17;
    /** Routing. */
    public static final int ROUTING = 43;
    /** Fragment. */
    public static final int FRAGMENT = 44;
    /** Esp. */
    public static final int ESP = 50;
    /** Ah. */
    public static final int AH = 51;
    /** ICMPv6. */
    public static final int ICMPV6 = 58;
    /** No next header. */
    public static final int NO_NEXT_HEADER = 59;
    /** Destination options. */
    public static final int DESTINATION_OPTIONS = 60;

    private IpProtocol()
    {
    }
}
