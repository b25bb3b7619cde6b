package io.pvnet.engine.bridge;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.offload.ChecksumOffload;
import io.pvnet.checksum.offload.GsoSegmenter;
import io.pvnet.checksum.offload.IpFragmenter;
import io.pvnet.checksum.offload.OffloadStatus;
import io.pvnet.checksum.offload.OutputFrames;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import io.pvnet.engine.FrameFlags;
import io.pvnet.engine.port.PortDropReason;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_TCP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_UDP;

/**
 * The bridge's {@link EgressOffload} backed by the checksum module: parses once ({@link HeaderParser}); a GSO frame
 * or a TCP packet over the MTU is split by {@link GsoSegmenter} (segment size {@code min(gsoSize, MTU - IP - L4
 * headers)}, Linux's per-segment rules, sums complete); any other IP packet over the MTU is fragmented by
 * {@link IpFragmenter} (L4 sum of the whole datagram first; IPv4 with DF refused as {@code mtu-exceeded}); a frame
 * within the MTU is copied and its sums completed ({@link ChecksumOffload}; IPv4, IPv6 with extension headers, VLAN).
 * Non-IP frames within the MTU pass unchanged; over it they are {@code mtu-exceeded}.
 * <p>
 * Bridge thread only; allocates nothing per frame.
 */
public final class ChecksumEgressOffload implements EgressOffload
{
    /** Most frames one input may become (a 64 KiB packet at an MSS of 64). */
    public static final int MAX_FRAMES = 1024;

    private final PacketHeaders headers = new PacketHeaders();
    private final PacketHeaders outHeaders = new PacketHeaders();
    private final ChecksumOffload checksum;
    private final GsoSegmenter segmenter;
    private final IpFragmenter fragmenter;
    private final OutputFrames made = new OutputFrames(MAX_FRAMES);
    private int ipv6Identification = 1;

    /** With the fastest checksum variant of this machine. */
    public ChecksumEgressOffload()
    {
        this(Checksums.best());
    }

    public ChecksumEgressOffload(final InternetChecksum variant)
    {
        checksum = new ChecksumOffload(variant);
        segmenter = new GsoSegmenter(variant);
        fragmenter = new IpFragmenter(variant);
    }

    @Override
    public int finish(
        final DirectBuffer src, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType, final int mtu, final MutableDirectBuffer out, final OutputFrames frames)
    {
        frames.clear();
        if (HeaderParser.parse(src, offset, length, headers) != ParseStatus.OK)
        {
            return -PortDropReason.MALFORMED;
        }
        final L3Protocol l3 = headers.l3();
        if (l3 != L3Protocol.IPV4 && l3 != L3Protocol.IPV6)
        {
            if (gsoSize != 0 || (flags & FrameFlags.CSUM_PARTIAL) != 0)
            {
                return -PortDropReason.MALFORMED;
            }
            if (length - headers.l3Offset() + offset > mtu || length > out.capacity())
            {
                return -PortDropReason.MTU_EXCEEDED;
            }
            out.putBytes(0, src, offset, length);
            frames.add(0, length);
            return 1;
        }
        final OffloadStatus status;
        if (gsoSize != 0 || headers.l3Length() > mtu)
        {
            final int protocol = headers.l4Protocol();
            if (headers.hasL4Header() && !headers.isFragment() &&
                (protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP && gsoSize != 0))
            {
                final int fit = mtu - (headers.l4Offset() - headers.l3Offset()) - headers.l4HeaderLength();
                final int segmentSize = gsoSize != 0 ? Math.min(gsoSize, fit) : fit;
                if (segmentSize < 1)
                {
                    return -PortDropReason.MTU_EXCEEDED;
                }
                status = segmenter.segment(src, headers, segmentSize, out, 0, out.capacity(), made);
            }
            else
            {
                status = fragmenter.fragment(src, headers, mtu, ipv6Identification++, out, 0, out.capacity(), made);
            }
            if (status == OffloadStatus.DONT_FRAGMENT || status == OffloadStatus.MSS_TOO_SMALL)
            {
                return -PortDropReason.MTU_EXCEEDED;
            }
            if (status != OffloadStatus.SPLIT)
            {
                return -PortDropReason.OFFLOAD_FAILED;
            }
            for (int i = 0; i < made.count(); i++)
            {
                if (!frames.add(made.offset(i), made.length(i)))
                {
                    return -PortDropReason.OFFLOAD_FAILED;
                }
            }
            return frames.count();
        }
        if (length > out.capacity())
        {
            return -PortDropReason.OFFLOAD_FAILED;
        }
        out.putBytes(0, src, offset, length);
        HeaderParser.parse(out, 0, length, outHeaders);
        if (checksum.complete(out, outHeaders) != OffloadStatus.COMPLETED)
        {
            return -PortDropReason.OFFLOAD_FAILED;
        }
        frames.add(0, length);
        return 1;
    }
}
