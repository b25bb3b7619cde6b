package io.pvnet.checksum.offload;

/**
 * What an offload step did with a frame. Data-path calls return one of these instead of throwing; a tool counts them
 * by reason. Statuses below {@link #isSuccess()} leave the output as described on each constant.
 */
public enum OffloadStatus
{
    /** Checksums completed in place (or in the single output frame). */
    COMPLETED(true),
    /** Split into several frames (TSO, USO or IP fragments). */
    SPLIT(true),
    /** Not an IP frame (ARP, other ethertypes): nothing to do. */
    NOT_IP(true),
    /** Checksums verified correct. */
    VALID(true),
    /** The frame did not parse; see the parser's reason. Left unchanged. */
    MALFORMED(false),
    /** An IP fragment: its L4 checksum covers the whole datagram and cannot be completed here. IPv4 header sum done. */
    FRAGMENT_L4_LEFT(false),
    /** An L4 protocol without a checksum the offload knows (not TCP, UDP, ICMP, ICMPv6). IPv4 header sum done. */
    UNKNOWN_L4_PROTOCOL(false),
    /** Asked to split something that is not TCP (TSO) or UDP (USO). */
    NOT_SPLITTABLE(false),
    /** The IPv4 packet is over the MTU but has DF set (a router would answer "fragmentation needed"). */
    DONT_FRAGMENT(false),
    /** MSS or MTU too small to carry any payload after the headers. */
    MSS_TOO_SMALL(false),
    /** More segments than the splitter was sized for. */
    TOO_MANY_SEGMENTS(false),
    /** The caller's output buffer cannot hold the result. */
    OUTPUT_TOO_SMALL(false),
    /** The IPv4 header checksum is wrong. */
    BAD_IPV4_HEADER_CHECKSUM(false),
    /** The TCP/UDP/ICMP/ICMPv6 checksum is wrong. */
    BAD_L4_CHECKSUM(false);

    private final boolean success;

    OffloadStatus(final boolean success)
    {
        this.success = success;
    }

    /** {@return true when the output is complete and correct} */
    public boolean isSuccess()
    {
        return success;
    }
}
