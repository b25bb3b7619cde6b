package io.pvnet.checksum.packet;

import static io.pvnet.testsupport.TestFrames.hex;

/**
 * Frames captured from Linux 6.x between two network namespaces over a veth pair (tshark on the receiving side):
 * 10.9.0.1 / fd00:9::1 at 02:00:00:00:00:0a talking to 10.9.0.2 / fd00:9::2 at 02:00:00:00:00:0b. The veth keeps
 * transmit checksum offload, so Linux left the UDP and TCP checksums as {@code CHECKSUM_PARTIAL} (the folded
 * pseudo-header sum); IPv4 header, ICMPv6 and NDP checksums are complete, computed by the kernel. The ICMP echo
 * request came from a raw socket whose checksum the sender computed.
 */
final class CapturedFrames
{
    static final long MAC_A = 0x0200_0000_000AL;
    static final long MAC_B = 0x0200_0000_000BL;
    static final int IP_A = 0x0A09_0001;
    static final int IP_B = 0x0A09_0002;
    static final long IPV6_HI = 0xFD00_0009_0000_0000L;

    /** Who has 10.9.0.2? Tell 10.9.0.1. */
    static final byte[] ARP_REQUEST = hex(
        "ffffffffffff02000000000a0806000108000604000102000000000a0a0900010000000000000a090002");
    /** 10.9.0.2 is at 02:00:00:00:00:0b. */
    static final byte[] ARP_REPLY = hex(
        "02000000000a02000000000b0806000108000604000202000000000b0a09000202000000000a0a090001");
    /** UDP 10.9.0.1:40000 -> 10.9.0.2:7 "pvnet packet layer", id 0x3e9b, DF, checksum partial. */
    static final byte[] UDP = hex(
        "02000000000b02000000000a08004500002e3e9b40004011e80f0a0900010a0900029c400007001a1440" +
        "70766e6574207061636b6574206c61796572");
    /** TCP SYN 40001 -> 9 with MSS 1460, SACK permitted, timestamps, window scale 10; checksum partial. */
    static final byte[] TCP_SYN = hex(
        "02000000000b02000000000a08004500003c1f704000400607380a0900010a0900029c41000903e1450a00000000" +
        "a002faf014430000020405b40402080a9f96cf97000000000103030a");
    /** TCP PSH|ACK "discard me" with timestamps; checksum partial. */
    static final byte[] TCP_DATA = hex(
        "02000000000b02000000000a08004500003e1f724000400607340a0900010a0900029c41000903e1450bebe6637d" +
        "8018003f144500000101080a9f96cf97fd5e9c0f64697363617264206d65");
    /** Neighbour solicitation for fd00:9::2 from fd00:9::1 with a source link-layer option. */
    static final byte[] NEIGHBOUR_SOLICITATION = hex(
        "3333ff00000202000000000a86dd6000000000203afffd000009000000000000000000000001ff020000000000000000" +
        "0001ff00000287007d7c00000000fd000009000000000000000000000002010102000000000a");
    /** Neighbour advertisement fd00:9::2 (solicited, override) is at 02:00:00:00:00:0b. */
    static final byte[] NEIGHBOUR_ADVERTISEMENT = hex(
        "02000000000a02000000000b86dd6000000000203afffd000009000000000000000000000002fd000009000000000000" +
        "00000000000188001c7660000000fd000009000000000000000000000002020102000000000b");
    /** UDP over IPv6 [fd00:9::1]:40002 -> [fd00:9::2]:7 "over ipv6", flow label 0x37a54; checksum partial. */
    static final byte[] UDP6 = hex(
        "02000000000b02000000000a86dd60037a5400111140fd000009000000000000000000000001fd00000900000000000" +
        "00000000000029c4200070011fa386f7665722069707636");
    /** ICMP echo request id 0x1234 seq 1 "abcdefgh", IP id 0x2e9c. */
    static final byte[] ICMP_ECHO = hex(
        "02000000000b02000000000a0800450000242e9c40004001f8280a0900010a09000208005435123400016162636465666768");
    /** ICMPv6 echo request id 0x1234 seq 1 "abcdefgh", flow label 0xee2b7; checksum computed by the kernel. */
    static final byte[] ICMPV6_ECHO = hex(
        "02000000000b02000000000a86dd600ee2b700103a40fd000009000000000000000000000001fd000009000000000000" +
        "0000000000028000e1d3123400016162636465666768");

    private CapturedFrames()
    {
    }
}
