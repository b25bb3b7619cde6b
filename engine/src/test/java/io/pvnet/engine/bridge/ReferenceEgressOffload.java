package io.pvnet.engine.bridge;

import io.pvnet.engine.FrameFlags;
import io.pvnet.engine.port.FrameHeaders;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.TestResponder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * A plain reference of the software offload for IPv4 (test code, standing in for the checksum module): completes the
 * TCP/UDP checksum, splits TCP (TSO rules: seq += mss, IP id + i, FIN/PSH on the last segment only) and refuses
 * anything else over the MTU with MTU_EXCEEDED. Counts its calls.
 */
final class ReferenceEgressOffload implements EgressOffload
{
    private final FrameHeaders headers = new FrameHeaders();
    int calls;

    @Override
    public int finish(
        final DirectBuffer src, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType, final int mtu, final MutableDirectBuffer out, final EgressFrames frames)
    {
        calls++;
        frames.clear();
        if (!headers.parse(src, offset, length) || headers.ipVersion != 4)
        {
            return length - 14 > mtu ? -PortDropReason.MTU_EXCEEDED : -PortDropReason.OFFLOAD_FAILED;
        }
        final int l3 = headers.l3Offset;
        final int l4 = headers.l4Offset;
        final int headerBytes = l4 + headers.l4HeaderLength;
        final boolean tcp = headers.l4Protocol == FrameHeaders.PROTOCOL_TCP && headers.l4HeaderLength != 0;
        if (gsoSize == 0 && headers.ipLength <= mtu)
        {
            out.putBytes(0, src, offset, length);
            if ((flags & FrameFlags.CSUM_PARTIAL) != 0)
            {
                completeL4(out, 0, l3, l4, headers.ipLength - (l4 - l3), headers.l4Protocol);
            }
            frames.add(0, length);
            return 1;
        }
        if (!tcp)
        {
            return -PortDropReason.MTU_EXCEEDED;
        }
        final int fit = mtu - (headerBytes - l3);
        final int mss = gsoSize == 0 ? fit : Math.min(gsoSize, fit);
        if (mss <= 0)
        {
            return -PortDropReason.MTU_EXCEEDED;
        }
        final int payload = l3 + headers.ipLength - headerBytes;
        final long seq = src.getInt(offset + l4 + 4, BIG_ENDIAN) & 0xFFFF_FFFFL;
        final int id = src.getShort(offset + l3 + 4, BIG_ENDIAN) & 0xFFFF;
        final int tcpFlags = src.getByte(offset + l4 + 13) & 0xFF;
        int at = 0;
        for (int done = 0, i = 0; done < payload; done += mss, i++)
        {
            final int chunk = Math.min(mss, payload - done);
            out.putBytes(at, src, offset, headerBytes);
            out.putBytes(at + headerBytes, src, offset + headerBytes + done, chunk);
            out.putShort(at + l3 + 2, (short)(headerBytes - l3 + chunk), BIG_ENDIAN);
            out.putShort(at + l3 + 4, (short)(id + i), BIG_ENDIAN);
            out.putShort(at + l3 + 10, (short)0);
            out.putShort(at + l3 + 10, (short)TestResponder.checksum(out, at + l3, l4 - l3, 0), BIG_ENDIAN);
            out.putInt(at + l4 + 4, (int)(seq + done), BIG_ENDIAN);
            final boolean last = done + chunk >= payload;
            out.putByte(at + l4 + 13, (byte)(last ? tcpFlags : tcpFlags & ~0x09));
            completeL4(out, at, l3, l4, headers.l4HeaderLength + chunk, FrameHeaders.PROTOCOL_TCP);
            if (!frames.add(at, headerBytes + chunk))
            {
                return -PortDropReason.OFFLOAD_FAILED;
            }
            at += headerBytes + chunk;
        }
        return frames.count();
    }

    private static void completeL4(
        final MutableDirectBuffer out, final int at, final int l3, final int l4, final int l4Length, final int protocol)
    {
        long pseudo = protocol + l4Length;
        for (int i = 12; i < 20; i += 2)
        {
            pseudo += out.getShort(at + l3 + i, BIG_ENDIAN) & 0xFFFF;
        }
        final int sumAt = at + l4 + (protocol == FrameHeaders.PROTOCOL_TCP ? 16 : 6);
        out.putShort(sumAt, (short)0);
        final int sum = TestResponder.checksum(out, at + l4, l4Length, pseudo);
        out.putShort(sumAt, (short)(sum == 0 && protocol == FrameHeaders.PROTOCOL_UDP ? 0xFFFF : sum), BIG_ENDIAN);
    }
}
