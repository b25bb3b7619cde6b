package io.pvnet.engine.bridge;

import io.pvnet.checksum.offload.OutputFrames;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The software offload the bridge calls at the edge, only when an egress port cannot take a frame as it is: a
 * {@code CSUM_PARTIAL} frame for a port without checksum offload, a GSO frame for a port without TSO of its kind, or
 * a frame larger than the port's MTU. To be backed by the checksum module's {@code FrameOffloader} (checksum
 * completion, TSO/USO splitting, IP fragmentation); {@link #NONE} does nothing and makes each such frame a counted
 * drop.
 * <p>
 * Implementations are called by the bridge thread only, must not allocate per frame and never throw for bad frames.
 */
public interface EgressOffload
{
    /** Finishes nothing: every call is refused with {@code PortDropReason.OFFLOAD_FAILED}. */
    EgressOffload NONE = (src, offset, length, flags, gsoSize, gsoType, mtu, out, frames) ->
        -io.pvnet.engine.port.PortDropReason.OFFLOAD_FAILED;

    /**
     * Turns one frame into frames with complete checksums, each carrying at most {@code mtu} bytes of IP packet: the
     * L4 checksum completed when {@code flags} has {@code CSUM_PARTIAL}; a GSO frame ({@code gsoSize > 0}) split
     * into segments of at most {@code gsoSize} payload bytes (fewer when the MTU needs it); any other packet over
     * the MTU fragmented (IPv4 without DF, IPv6) or, for TCP, segmented.
     *
     * @param src     the frame (left unchanged); may carry one 802.1Q tag.
     * @param flags   {@code FrameFlags} of the frame.
     * @param gsoSize MSS of a GSO frame, else 0.
     * @param gsoType {@code XEN_NETIF_GSO_TYPE_*} of a GSO frame.
     * @param mtu     the egress port's MTU (IP bytes).
     * @param out     where the resulting frames are written, from index 0.
     * @param frames  receives their {@code (offset, length)}; cleared first.
     * @return frames made ({@code >= 1}), or a negative {@code PortDropReason} code: {@code -MTU_EXCEEDED} when the
     * frame is too large and cannot be split (DF set, not IP), {@code -OFFLOAD_FAILED} otherwise.
     */
    int finish(
        DirectBuffer src, int offset, int length, int flags, int gsoSize, int gsoType, int mtu,
        MutableDirectBuffer out, OutputFrames frames);
}
