package io.pvnet.engine.offload;

import io.pvnet.checksum.offload.OutputFrames;
import io.pvnet.checksum.offload.SegmentWindows;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The software offload step where a peer cannot take an offloaded frame: complete a checksum the sender left blank,
 * split a TSO/USO frame into segments, fragment a packet over an MTU. Two kinds of caller use it:
 * <ul>
 *     <li>a vif (the backend {@code xnb} and {@code netfront}): {@link #completeChecksum} in place, or
 *     {@link #segment} at the frame's own MSS, each segment handed to a {@link SegmentSink} as it is made;</li>
 *     <li>the bridge at an egress port: {@link #finish} turns one frame into frames that fit the port's MTU, written
 *     to the bridge's output buffer and listed in its {@link OutputFrames}.</li>
 * </ul>
 * The engine calls it through this interface only, so the implementation (the checksum module's, in
 * {@link ChecksumFrameOffload}) plugs in without touching the data path; {@link NoFrameOffload} refuses everything.
 * <p>
 * Implementations are used from one thread at a time (each vif and each bridge gets its own instance), must not
 * allocate per frame and never throw for bad frames: every method returns a status code.
 */
public interface FrameOffload
{
    /** Status: done. */
    int OK = 0;
    /** Status: this implementation cannot do it (no software offload, or the result would not fit the output). */
    int UNSUPPORTED = -1;
    /** Status: the frame is not one this step can handle (not IPv4/IPv6 TCP/UDP, truncated headers). */
    int MALFORMED = -2;
    /** Status of {@link #finish}: the packet is over the MTU and can be neither split nor fragmented (DF, not IP). */
    int MTU_EXCEEDED = -3;

    /** Most frames one call may produce (a 64 KiB packet at an MSS of 64); size {@link #finish}'s frames with it. */
    int MAX_FRAMES = 1024;

    /** Receives one segment of {@link #segment}. */
    @FunctionalInterface
    interface SegmentSink
    {
        /**
         * {@return 0 when accepted, else a drop code; a non-zero return stops the split}
         *
         * @param buffer the segment, valid only during the call (the scratch buffer is reused for the next one).
         * @param offset where the segment's Ethernet header starts in {@code buffer}.
         * @param length the segment's length in bytes.
         */
        int onSegment(DirectBuffer buffer, int offset, int length);
    }

    /**
     * Completes the L4 checksum of a frame whose checksum field holds only the pseudo-header sum (csum_blank), in place.
     *
     * @param frame  the frame; its checksum field is overwritten.
     * @param offset where the frame's Ethernet header starts in {@code frame}.
     * @param length the frame's length in bytes.
     * @return {@link #OK}, {@link #UNSUPPORTED} or {@link #MALFORMED}.
     */
    int completeChecksum(MutableDirectBuffer frame, int offset, int length);

    /**
     * Splits a TSO frame into segments of at most {@code mss} payload bytes with complete checksums, each written to
     * {@code scratch} and handed to {@code sink}.
     *
     * @param frame   the TSO frame (left unchanged).
     * @param offset  where the frame's Ethernet header starts in {@code frame}.
     * @param length  the frame's length in bytes.
     * @param mss     most TCP payload bytes per segment (the frame's GSO size).
     * @param scratch where each segment is written before {@code sink} sees it; holds at least headers + {@code mss}.
     * @param sink    receives each segment in order.
     * @return segments handed to the sink (>= 1), or {@link #UNSUPPORTED} / {@link #MALFORMED}; a sink's non-zero return
     * stops the split and is returned negated.
     */
    int segment(DirectBuffer frame, int offset, int length, int mss, MutableDirectBuffer scratch, SegmentSink sink);

    /**
     * As {@link #segment(DirectBuffer, int, int, int, MutableDirectBuffer, SegmentSink)}, but each segment is written
     * straight into the buffer {@code windows} opens for it (e.g. a window on a guest's granted page), with no scratch
     * copy; {@code windows} is told of every segment, written or skipped. Implementations without it return
     * {@link #UNSUPPORTED} before opening any window, so the caller can fall back to the scratch form.
     *
     * @param frame       the TSO/USO frame (left unchanged).
     * @param offset      where the frame's Ethernet header starts in {@code frame}.
     * @param length      the frame's length in bytes.
     * @param mss         most payload bytes per segment (the frame's GSO size).
     * @param maxSegments most segments accepted: more is {@link #UNSUPPORTED}, with no window opened.
     * @param windows     opens the buffer each segment is written to, and hears of every segment.
     * @return segments made (>= 1), or {@link #UNSUPPORTED} / {@link #MALFORMED} with no window opened.
     */
    default int segment(
        final DirectBuffer frame, final int offset, final int length, final int mss, final int maxSegments,
        final SegmentWindows windows)
    {
        return UNSUPPORTED;
    }

    /**
     * Turns one frame into frames with complete checksums, each carrying at most {@code mtu} bytes of IP packet: the
     * L4 checksum completed when {@code checksumPartial}; a GSO frame ({@code gsoSize > 0}) split into segments of at
     * most {@code gsoSize} payload bytes (fewer when the MTU needs it); any other packet over the MTU fragmented (IPv4
     * without DF, IPv6) or, for TCP, segmented. What the bridge calls for an egress port that cannot take the frame as
     * it is.
     *
     * @param frame           the frame (left unchanged); may carry one 802.1Q tag.
     * @param offset          where the frame's Ethernet header starts in {@code frame}.
     * @param length          the frame's length in bytes.
     * @param checksumPartial whether its L4 checksum field holds only the pseudo-header sum ({@code CSUM_PARTIAL}).
     * @param gsoSize         MSS of a GSO frame, else 0.
     * @param mtu             the egress port's MTU (IP bytes).
     * @param out             where the resulting frames are written, from index 0.
     * @param frames          receives their {@code (offset, length)}; cleared first. {@link #MAX_FRAMES} always fits.
     * @return frames made ({@code >= 1}), or {@link #MTU_EXCEEDED} (too large and cannot be split: DF set, not IP),
     * {@link #MALFORMED} (unparseable, or an offload asked of a non-IP frame) or {@link #UNSUPPORTED} (anything else).
     */
    int finish(
        DirectBuffer frame, int offset, int length, boolean checksumPartial, int gsoSize, int mtu,
        MutableDirectBuffer out, OutputFrames frames);
}
