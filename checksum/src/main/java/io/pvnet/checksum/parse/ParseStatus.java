package io.pvnet.checksum.parse;

/**
 * The outcome of {@link HeaderParser#parse}: {@link #OK}, or why the frame is malformed. A malformed frame is never
 * an exception; the first problem found is reported and the parser stops there.
 */
public enum ParseStatus
{
    /** Every header the parser knows was read and is consistent. */
    OK,
    /** Fewer than 14 bytes: no Ethernet II header. */
    ETHERNET_TRUNCATED,
    /** An 802.1Q/802.1ad tag runs past the end of the frame. */
    VLAN_TRUNCATED,
    /** More than {@link HeaderParser#MAX_VLAN_TAGS} stacked tags. */
    VLAN_TOO_MANY_TAGS,
    /** An ARP packet shorter than its own address lengths say. */
    ARP_TRUNCATED,
    /** Fewer than 20 bytes after the Ethernet header of an IPv4 frame. */
    IPV4_TRUNCATED,
    /** The IP version nibble is not 4 in an IPv4 ethertype frame. */
    IPV4_BAD_VERSION,
    /** IHL below 5 (a header shorter than 20 bytes). */
    IPV4_HEADER_LENGTH_TOO_SMALL,
    /** The header length is larger than the total length. */
    IPV4_HEADER_LENGTH_EXCEEDS_TOTAL_LENGTH,
    /** The total length runs past the end of the frame. */
    IPV4_TOTAL_LENGTH_EXCEEDS_FRAME,
    /** An IPv4 option with a length below 2 or past the end of the header. */
    IPV4_BAD_OPTION,
    /** Fragment offset plus fragment length is above 65535. */
    IPV4_FRAGMENT_TOO_LARGE,
    /** Fewer than 40 bytes after the Ethernet header of an IPv6 frame. */
    IPV6_TRUNCATED,
    /** The IP version nibble is not 6 in an IPv6 ethertype frame. */
    IPV6_BAD_VERSION,
    /** The payload length runs past the end of the frame. */
    IPV6_PAYLOAD_LENGTH_EXCEEDS_FRAME,
    /** Payload length 0 with a hop-by-hop header: a jumbogram (RFC 2675), not handled. */
    IPV6_JUMBOGRAM_UNSUPPORTED,
    /** An extension header runs past the payload. */
    IPV6_EXTENSION_TRUNCATED,
    /** A hop-by-hop options header that is not the first header. */
    IPV6_HOP_BY_HOP_NOT_FIRST,
    /** A routing or fragment header that appears twice (a header loop). */
    IPV6_EXTENSION_REPEATED,
    /** More than {@link HeaderParser#MAX_IPV6_EXTENSION_HEADERS} extension headers. */
    IPV6_TOO_MANY_EXTENSION_HEADERS,
    /** Fewer than 20 bytes of TCP header. */
    TCP_TRUNCATED,
    /** A TCP data offset below 5. */
    TCP_DATA_OFFSET_TOO_SMALL,
    /** A TCP data offset past the end of the segment. */
    TCP_DATA_OFFSET_EXCEEDS_SEGMENT,
    /** A TCP option with a length below 2 or past the end of the header. */
    TCP_BAD_OPTION,
    /** Fewer than 8 bytes of UDP header. */
    UDP_TRUNCATED,
    /** The UDP length disagrees with the IP payload length (or is below 8). */
    UDP_LENGTH_MISMATCH,
    /** Fewer than 8 bytes of ICMP header. */
    ICMP_TRUNCATED,
    /** Fewer than 4 bytes of ICMPv6 header. */
    ICMPV6_TRUNCATED
}
