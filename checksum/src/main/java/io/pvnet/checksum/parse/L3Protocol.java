package io.pvnet.checksum.parse;

/** The network layer found by {@link HeaderParser}. */
public enum L3Protocol
{
    /** Not parsed (the parse failed before it) or an ethertype the parser does not know. */
    OTHER,
    ARP,
    IPV4,
    IPV6
}
