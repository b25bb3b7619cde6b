package io.pvnet.engine.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.offload.ChecksumOffload;
import io.pvnet.checksum.offload.GsoSegmenter;
import io.pvnet.checksum.offload.GsoWindowSegmenter;
import io.pvnet.checksum.offload.IpFragmenter;
import io.pvnet.checksum.offload.OffloadStatus;
import io.pvnet.checksum.offload.OutputFrames;
import io.pvnet.checksum.offload.SegmentWindows;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_TCP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_UDP;

/**
 * The {@link FrameOffload} of the checksum module: parses the frame once ({@link HeaderParser}), completes checksums
 * with {@link ChecksumOffload} (IPv4 and IPv6 with extension headers, VLAN, options, never a fragment's L4) and splits
 * TSO/USO frames with {@link GsoSegmenter}.
 * <p>
 * For the bridge ({@link #finish}): a GSO frame or a TCP packet over the MTU is split by {@link GsoSegmenter}
 * (segment size {@code min(gsoSize, MTU - IP - L4 headers)}, Linux's per-segment rules, sums complete); any other IP
 * packet over the MTU is fragmented by {@link IpFragmenter} (L4 sum of the whole datagram first; IPv4 with DF refused
 * as {@link #MTU_EXCEEDED}); a frame within the MTU is copied and its sums completed. Non-IP frames within the MTU
 * pass unchanged; over it they are {@link #MTU_EXCEEDED}.
 * <p>
 * One instance per thread; allocates nothing per frame.
 */
public final class ChecksumFrameOffload implements FrameOffload
{
    private final PacketHeaders headers = new PacketHeaders();
    private final PacketHeaders outHeaders = new PacketHeaders();
    private final ChecksumOffload checksum;
    private final GsoSegmenter segmenter;
    private final GsoWindowSegmenter windowSegmenter;
    private final IpFragmenter fragmenter;
    private final OutputFrames segments = new OutputFrames(MAX_FRAMES);
    private int ipv6Identification = 1;

    /** With the fastest checksum variant of this machine. */
    public ChecksumFrameOffload()
    {
        this(Checksums.best());
    }

    /**
     * With a given checksum variant (tests compare variants; {@link #ChecksumFrameOffload()} picks the fastest).
     *
     * @param variant the checksum kernel used for every completion, split and fragment.
     */
    public ChecksumFrameOffload(final InternetChecksum variant)
    {
        this.checksum = new ChecksumOffload(variant);
        this.segmenter = new GsoSegmenter(variant);
        this.windowSegmenter = new GsoWindowSegmenter(variant);
        this.fragmenter = new IpFragmenter(variant);
    }

    @Override
    public int completeChecksum(final MutableDirectBuffer frame, final int offset, final int length)
    {
        if (HeaderParser.parse(frame, offset, length, headers) != ParseStatus.OK)
        {
            return MALFORMED;
        }
        final OffloadStatus status = checksum.complete(frame, headers);
        return status == OffloadStatus.COMPLETED || status == OffloadStatus.NOT_IP ? OK : MALFORMED;
    }

    @Override
    public int segment(
        final DirectBuffer frame, final int offset, final int length, final int mss, final MutableDirectBuffer scratch,
        final SegmentSink sink)
    {
        if (HeaderParser.parse(frame, offset, length, headers) != ParseStatus.OK)
        {
            return MALFORMED;
        }
        final OffloadStatus status = segmenter.segment(frame, headers, mss, scratch, 0, scratch.capacity(), segments);
        if (!status.isSuccess())
        {
            return MALFORMED;
        }
        final int count = segments.count();
        for (int i = 0; i < count; i++)
        {
            final int result = sink.onSegment(scratch, segments.offset(i), segments.length(i));
            if (result != 0)
            {
                return -result;
            }
        }
        return count;
    }

    @Override
    public int segment(
        final DirectBuffer frame, final int offset, final int length, final int mss, final int maxSegments,
        final SegmentWindows windows)
    {
        if (HeaderParser.parse(frame, offset, length, headers) != ParseStatus.OK)
        {
            return MALFORMED;
        }
        final OffloadStatus status = windowSegmenter.segment(frame, headers, mss, maxSegments, windows);
        if (status == OffloadStatus.TOO_MANY_SEGMENTS)
        {
            return UNSUPPORTED;
        }
        return status.isSuccess() ? windowSegmenter.segmentCount() : MALFORMED;
    }

    @Override
    public int finish(
        final DirectBuffer frame, final int offset, final int length, final boolean checksumPartial, final int gsoSize,
        final int mtu, final MutableDirectBuffer out, final OutputFrames frames)
    {
        frames.clear();
        if (HeaderParser.parse(frame, offset, length, headers) != ParseStatus.OK)
        {
            return MALFORMED;
        }
        final L3Protocol l3 = headers.l3();
        if (l3 != L3Protocol.IPV4 && l3 != L3Protocol.IPV6)
        {
            if (gsoSize != 0 || checksumPartial)
            {
                return MALFORMED;
            }
            if (length - headers.l3Offset() + offset > mtu || length > out.capacity())
            {
                return MTU_EXCEEDED;
            }
            out.putBytes(0, frame, offset, length);
            frames.add(0, length);
            return 1;
        }
        if (gsoSize != 0 || headers.l3Length() > mtu)
        {
            return split(frame, gsoSize, mtu, out, frames);
        }
        if (length > out.capacity())
        {
            return UNSUPPORTED;
        }
        out.putBytes(0, frame, offset, length);
        HeaderParser.parse(out, 0, length, outHeaders);
        if (checksum.complete(out, outHeaders) != OffloadStatus.COMPLETED)
        {
            return UNSUPPORTED;
        }
        frames.add(0, length);
        return 1;
    }

    private int split(
        final DirectBuffer frame, final int gsoSize, final int mtu, final MutableDirectBuffer out,
        final OutputFrames frames)
    {
        final OffloadStatus status;
        final int protocol = headers.l4Protocol();
        if (headers.hasL4Header() && !headers.isFragment() &&
            (protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP && gsoSize != 0))
        {
            final int fit = mtu - (headers.l4Offset() - headers.l3Offset()) - headers.l4HeaderLength();
            final int segmentSize = gsoSize != 0 ? Math.min(gsoSize, fit) : fit;
            if (segmentSize < 1)
            {
                return MTU_EXCEEDED;
            }
            status = segmenter.segment(frame, headers, segmentSize, out, 0, out.capacity(), frames);
        }
        else
        {
            status = fragmenter.fragment(frame, headers, mtu, ipv6Identification++, out, 0, out.capacity(), frames);
        }
        if (status == OffloadStatus.DONT_FRAGMENT || status == OffloadStatus.MSS_TOO_SMALL)
        {
            return MTU_EXCEEDED;
        }
        if (status != OffloadStatus.SPLIT)
        {
            frames.clear();
            return UNSUPPORTED;
        }
        return frames.count();
    }
}
