package io.pvnet.checksum.parse;

/** The network layer found by {@link HeaderParser}. */
public enum L3Protocol
{
    /** Not parsed (the parse failed before it) or an ethertype the parser does not know. */
    OTHER,
    /** ARP (EtherType 0x0806). */
    ARP,
    /** IPv4 (EtherType 0x0800). */
    IPV4,
    /** IPv6 (EtherType 0x86DD). */
    IPV6
}
