package io.pvnet.engine.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.offload.ChecksumOffload;
import io.pvnet.checksum.offload.GsoSegmenter;
import io.pvnet.checksum.offload.OffloadStatus;
import io.pvnet.checksum.offload.OutputFrames;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The {@link FrameOffload} of the checksum module: parses the frame once ({@link HeaderParser}), completes checksums
 * with {@link ChecksumOffload} (IPv4 and IPv6, VLAN, options, never a fragment's L4) and splits TSO frames with
 * {@link GsoSegmenter} into the caller's scratch buffer. One instance per thread; allocates nothing per frame.
 */
public final class ChecksumFrameOffload implements FrameOffload
{
    /** Most segments one frame may become (65535 bytes at an MSS of 64). */
    public static final int MAX_SEGMENTS = 1024;

    private final PacketHeaders headers = new PacketHeaders();
    private final ChecksumOffload checksum;
    private final GsoSegmenter segmenter;
    private final OutputFrames frames = new OutputFrames(MAX_SEGMENTS);

    /** With the fastest checksum variant of this machine. */
    public ChecksumFrameOffload()
    {
        this(Checksums.best());
    }

    public ChecksumFrameOffload(final InternetChecksum variant)
    {
        this.checksum = new ChecksumOffload(variant);
        this.segmenter = new GsoSegmenter(variant);
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
        final OffloadStatus status = segmenter.segment(frame, headers, mss, scratch, 0, scratch.capacity(), frames);
        if (!status.isSuccess())
        {
            return MALFORMED;
        }
        final int count = frames.count();
        for (int i = 0; i < count; i++)
        {
            final int result = sink.onSegment(scratch, frames.offset(i), frames.length(i));
            if (result != 0)
            {
                return -result;
            }
        }
        return count;
    }
}
