package io.pvnet.engine.offload;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The software offload step a vif needs where its peer cannot take an offloaded frame: complete a checksum the sender
 * left blank, or split a TSO frame into MSS-sized segments. The engine calls it through this interface only, so the
 * implementation (the checksum module) plugs in without touching the data path.
 * Implementations are used from one thread at a time, must not allocate per frame and never throw for bad frames.
 */
public interface FrameOffload
{
    /** Status: done. */
    int OK = 0;
    /** Status: this implementation cannot do it. */
    int UNSUPPORTED = -1;
    /** Status: the frame is not one this step can handle (not IPv4/IPv6 TCP/UDP, truncated headers). */
    int MALFORMED = -2;

    /** Receives one segment of {@link #segment}. */
    @FunctionalInterface
    interface SegmentSink
    {
        /** @return 0 when accepted, else a drop code; a non-zero return stops the split. */
        int onSegment(DirectBuffer buffer, int offset, int length);
    }

    /**
     * Completes the L4 checksum of a frame whose checksum field holds only the pseudo-header sum (csum_blank), in place.
     *
     * @return {@link #OK}, {@link #UNSUPPORTED} or {@link #MALFORMED}.
     */
    int completeChecksum(MutableDirectBuffer frame, int offset, int length);

    /**
     * Splits a TSO frame into segments of at most {@code mss} payload bytes with complete checksums, each written to
     * {@code scratch} and handed to {@code sink}.
     *
     * @return segments handed to the sink (>= 1), or {@link #UNSUPPORTED} / {@link #MALFORMED}; a sink's non-zero return
     * stops the split and is returned negated.
     */
    int segment(DirectBuffer frame, int offset, int length, int mss, MutableDirectBuffer scratch, SegmentSink sink);
}
