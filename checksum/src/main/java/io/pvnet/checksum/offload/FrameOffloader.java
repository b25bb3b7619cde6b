package io.pvnet.checksum.offload;

import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_TCP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_UDP;

/**
 * What a backend does to a guest frame marked {@code csum_blank} (and possibly GSO) bound for a port that cannot
 * offload, with a given MTU: every IP/L4 checksum completed; TCP over the MTU split by TSO; UDP over the MTU fragmented
 * or segmented ({@link UdpOversizeMode}); other IP over the MTU fragmented. Non-IP frames pass unchanged, and so does
 * any frame it cannot handle (the returned status says why; {@link #parseStatus()} gives a parse failure's reason).
 * <p>
 * Output goes to the caller's buffer: one frame (the input, completed or unchanged) or several. Not thread-safe: one
 * instance per thread; allocates nothing after construction.
 */
public final class FrameOffloader
{
    private final int mtu;
    private final int mss;
    private final UdpOversizeMode udpMode;
    private final PacketHeaders headers = new PacketHeaders();
    private final PacketHeaders outHeaders = new PacketHeaders();
    private final ChecksumOffload offload;
    private final GsoSegmenter segmenter;
    private final IpFragmenter fragmenter;
    private ParseStatus parseStatus = ParseStatus.OK;
    private int ipv6Identification = 1;

    /**
     * Completes checksums and splits (TSO, UDP over the MTU, IP fragmentation) frames for an egress that cannot; one
     * instance per thread.
     * @param checksum the variant for every sum.
     * @param mtu      the egress MTU (IP packet bytes), {@code >= 68}.
     * @param mss      the TCP MSS for TSO, or 0 for the MTU minus the IP and TCP headers of each packet.
     * @param udpMode  what to do with UDP over the MTU.
     */
    public FrameOffloader(final InternetChecksum checksum, final int mtu, final int mss, final UdpOversizeMode udpMode)
    {
        if (mtu < 68 || mtu > 65535)
        {
            throw new IllegalArgumentException("mtu=" + mtu + " must be in 68..65535");
        }
        if (mss < 0 || mss > 65535)
        {
            throw new IllegalArgumentException("mss=" + mss + " must be in 0..65535 (0: derived from the MTU)");
        }
        this.mtu = mtu;
        this.mss = mss;
        this.udpMode = udpMode;
        this.offload = new ChecksumOffload(checksum);
        this.segmenter = new GsoSegmenter(checksum);
        this.fragmenter = new IpFragmenter(checksum);
    }

    /** {@return the reason of the last {@link OffloadStatus#MALFORMED}, else {@link ParseStatus#OK}} */
    public ParseStatus parseStatus()
    {
        return parseStatus;
    }

    /**
     * Processes one frame.
     *
     * @param src       the frame, left unchanged.
     * @param offset    its first byte.
     * @param length    its length.
     * @param out       where the resulting frames go.
     * @param outOffset first byte of {@code out} to use.
     * @param outLimit  one past the last byte of {@code out} that may be written.
     * @param frames    receives the resulting frames; always at least one unless the output is too small.
     * @return {@link OffloadStatus#COMPLETED}, {@link OffloadStatus#SPLIT}, {@link OffloadStatus#NOT_IP}, or the reason
     * the frame was passed through unchanged.
     */
    public OffloadStatus process(
        final DirectBuffer src, final int offset, final int length,
        final MutableDirectBuffer out, final int outOffset, final int outLimit, final OutputFrames frames)
    {
        frames.clear();
        parseStatus = HeaderParser.parse(src, offset, length, headers);
        if (parseStatus != ParseStatus.OK)
        {
            return passThrough(OffloadStatus.MALFORMED, src, offset, length, out, outOffset, outLimit, frames);
        }
        final L3Protocol l3 = headers.l3();
        if (l3 != L3Protocol.IPV4 && l3 != L3Protocol.IPV6)
        {
            return passThrough(OffloadStatus.NOT_IP, src, offset, length, out, outOffset, outLimit, frames);
        }
        if (headers.isFragment())
        {
            return passThrough(OffloadStatus.FRAGMENT_L4_LEFT, src, offset, length, out, outOffset, outLimit, frames);
        }
        if (headers.l3Length() <= mtu)
        {
            return completeOne(src, offset, length, out, outOffset, outLimit, frames);
        }
        final OffloadStatus status = splitOversize(src, out, outOffset, outLimit, frames);
        if (status.isSuccess())
        {
            return status;
        }
        return passThrough(status, src, offset, length, out, outOffset, outLimit, frames);
    }

    private OffloadStatus splitOversize(
        final DirectBuffer src, final MutableDirectBuffer out, final int outOffset, final int outLimit,
        final OutputFrames frames)
    {
        final int protocol = headers.l4Protocol();
        if (protocol == PROTOCOL_TCP)
        {
            final int segmentSize = mss != 0 ? mss : mtu - headers.ipHeaderLength() - headers.l4HeaderLength();
            return segmenter.segment(src, headers, segmentSize, out, outOffset, outLimit, frames);
        }
        if (protocol == PROTOCOL_UDP && udpMode == UdpOversizeMode.SEGMENT)
        {
            final int segmentSize = mtu - headers.ipHeaderLength() - headers.l4HeaderLength();
            return segmenter.segment(src, headers, segmentSize, out, outOffset, outLimit, frames);
        }
        return fragmenter.fragment(src, headers, mtu, ipv6Identification++, out, outOffset, outLimit, frames);
    }

    private OffloadStatus completeOne(
        final DirectBuffer src, final int offset, final int length,
        final MutableDirectBuffer out, final int outOffset, final int outLimit, final OutputFrames frames)
    {
        if (length > outLimit - outOffset)
        {
            return OffloadStatus.OUTPUT_TOO_SMALL;
        }
        out.putBytes(outOffset, src, offset, length);
        // parse the copy, so the offsets refer to the output buffer
        HeaderParser.parse(out, outOffset, length, outHeaders);
        final OffloadStatus status = offload.complete(out, outHeaders);
        if (status != OffloadStatus.COMPLETED)
        {
            out.putBytes(outOffset, src, offset, length);
        }
        frames.add(outOffset, length);
        return status;
    }

    private static OffloadStatus passThrough(
        final OffloadStatus status, final DirectBuffer src, final int offset, final int length,
        final MutableDirectBuffer out, final int outOffset, final int outLimit, final OutputFrames frames)
    {
        frames.clear();
        if (length > outLimit - outOffset)
        {
            return OffloadStatus.OUTPUT_TOO_SMALL;
        }
        out.putBytes(outOffset, src, offset, length);
        frames.add(outOffset, length);
        return status;
    }
}
