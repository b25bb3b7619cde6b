package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_TCP;
import static io.pvnet.checksum.parse.PacketHeaders.PROTOCOL_UDP;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_CWR;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_FIN;
import static io.pvnet.checksum.parse.PacketHeaders.TCP_PSH;

/**
 * Software GSO into one buffer per segment: the same frames as {@link GsoSegmenter} (same header rules, checksums
 * computed in full, payload copied and summed in one pass), but each written at index 0 of the buffer a
 * {@link SegmentWindows} opens for it, e.g. straight into a page a guest granted for receiving, with no scratch copy in
 * between. {@link GsoSegmenter}'s contiguous form stays separate so that neither slows the other.
 * <p>
 * Every write goes through the window's bounds-checked accessors: a window shorter than its segment refuses the write
 * (an {@link IndexOutOfBoundsException} from Agrona, which callers must not provoke: the window is opened for exactly
 * the length given). Not thread-safe: one instance per thread; allocates nothing after construction.
 */
public final class GsoWindowSegmenter
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private final InternetChecksum checksum;
    private int count;

    /** @param checksum the variant for every sum. */
    public GsoWindowSegmenter(final InternetChecksum checksum)
    {
        this.checksum = checksum;
    }

    /**
     * Splits the TCP or UDP packet described by {@code headers} (parsed from {@code src}), one window per segment. A
     * segment whose window does not open is skipped (the windows account for it); every opened window is closed.
     *
     * @param segmentSize the MSS (TCP) or GSO size (UDP), {@code >= 1}.
     * @param maxSegments most segments accepted; more is {@link OffloadStatus#TOO_MANY_SEGMENTS} with no window opened.
     * @return {@link OffloadStatus#SPLIT} (also for one frame), or why nothing was written (no window opened).
     */
    public OffloadStatus segment(
        final DirectBuffer src, final PacketHeaders headers, final int segmentSize, final int maxSegments,
        final SegmentWindows windows)
    {
        count = 0;
        final int protocol = headers.l4Protocol();
        final L3Protocol l3 = headers.l3();
        if ((protocol != PROTOCOL_TCP && protocol != PROTOCOL_UDP) || !headers.hasL4Header() || headers.isFragment() ||
            (l3 != L3Protocol.IPV4 && l3 != L3Protocol.IPV6))
        {
            return OffloadStatus.NOT_SPLITTABLE;
        }
        if (segmentSize < 1)
        {
            return OffloadStatus.MSS_TOO_SMALL;
        }
        final int frameOffset = headers.frameOffset();
        final int l4HeaderLength = headers.l4HeaderLength();
        final int headerLength = headers.l4Offset() + l4HeaderLength - frameOffset;
        final int payloadStart = headers.l4Offset() + l4HeaderLength;
        final int payload = headers.l4Length() - l4HeaderLength;
        final int segments = Math.max(1, (payload + segmentSize - 1) / segmentSize);
        if (segments > maxSegments)
        {
            return OffloadStatus.TOO_MANY_SEGMENTS;
        }
        src.boundsCheck(frameOffset, payloadStart + payload - frameOffset);

        final int l3Delta = headers.l3Offset() - frameOffset;
        final int l4Delta = headers.l4Offset() - frameOffset;
        final int ipHeaderLength = headers.ipHeaderLength();
        final boolean v4 = l3 == L3Protocol.IPV4;
        final boolean tcp = protocol == PROTOCOL_TCP;
        final int identification = src.getShort(headers.l3Offset() + 4, BE) & 0xFFFF;
        final int sequence = tcp ? src.getInt(headers.l4Offset() + 4, BE) : 0;
        final int dataOffsetByte = tcp ? src.getByte(headers.l4Offset() + 12) & 0xFF : 0;
        final int flags = headers.tcpFlags();
        // sums of the words every segment shares; each segment adds only those it changes
        final long ipBase = v4 ? sumWordsExcept(src, headers.l3Offset(), ipHeaderLength, 2, 4, 10, 10) : 0;
        final long l4Base = ChecksumOffload.pseudoHeaderSum(src, headers, 0) + (tcp ?
            sumWordsExcept(src, headers.l4Offset(), l4HeaderLength, 4, 6, 12, 16) :
            sumWordsExcept(src, headers.l4Offset(), l4HeaderLength, 4, 6, 6, 6));
        final int checksumField = l4Delta + (tcp ? 16 : 6);
        count = segments;
        for (int i = 0; i < segments; i++)
        {
            final boolean last = i == segments - 1;
            final int segmentPayload = last ? payload - i * segmentSize : segmentSize;
            final int length = headerLength + segmentPayload;
            final MutableDirectBuffer out = windows.open(i, length);
            if (null == out)
            {
                windows.close(i, length, false);
                continue;
            }
            out.putBytes(0, src, frameOffset, headerLength);
            final int l4Length = l4HeaderLength + segmentPayload;
            final int segmentSequence = sequence + i * segmentSize;
            int segmentFlags = flags;
            if (!last)
            {
                segmentFlags &= ~(TCP_FIN | TCP_PSH);
            }
            if (i != 0)
            {
                segmentFlags &= ~TCP_CWR;
            }
            // the L4 sum of everything but the payload goes into the payload copy as its initial sum
            final int headerSum = Checksums.fold(l4Base + l4Length + (tcp ?
                (segmentSequence >>> 16) + (segmentSequence & 0xFFFF) + ((dataOffsetByte << 8) | segmentFlags) :
                l4Length));
            final int l4Sum = checksum.copyAndSum(
                src, payloadStart + i * segmentSize, out, headerLength, segmentPayload, headerSum);
            if (v4)
            {
                final int totalLength = ipHeaderLength + l4Length;
                final int id = (identification + i) & 0xFFFF;
                out.putShort(l3Delta + 2, (short)totalLength, BE);
                out.putShort(l3Delta + 4, (short)id, BE);
                out.putShort(l3Delta + 10, (short)Checksums.complement(Checksums.fold(ipBase + totalLength + id)), BE);
            }
            else
            {
                out.putShort(l3Delta + 4, (short)(ipHeaderLength - 40 + l4Length), BE);
            }
            if (tcp)
            {
                out.putInt(l4Delta + 4, segmentSequence, BE);
                out.putByte(l4Delta + 13, (byte)segmentFlags);
            }
            else
            {
                out.putShort(l4Delta + 4, (short)l4Length, BE);
            }
            out.putShort(checksumField, (short)ChecksumOffload.l4ChecksumValue(protocol, l4Sum), BE);
            windows.close(i, length, true);
        }
        return OffloadStatus.SPLIT;
    }

    /** @return segments the last {@code SPLIT} made (windows skipped included), else 0. */
    public int segmentCount()
    {
        return count;
    }

    /** Sums the big-endian words of {@code [offset, offset + length)} except those at the given even distances. */
    private static long sumWordsExcept(
        final DirectBuffer buffer, final int offset, final int length,
        final int skip1, final int skip2, final int skip3, final int skip4)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            if (i != skip1 && i != skip2 && i != skip3 && i != skip4)
            {
                sum += buffer.getShort(offset + i, BE) & 0xFFFF;
            }
        }
        return sum;
    }
}
