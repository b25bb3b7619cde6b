package io.pvnet.checksum.offload;

import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.Ipv6ExtensionHeader;
import io.pvnet.checksum.packet.Ipv6Header;
import io.pvnet.checksum.parse.L3Protocol;
import io.pvnet.checksum.parse.PacketHeaders;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * IP fragmentation of a packet larger than the MTU, after completing its L4 checksum over the whole datagram (the
 * receiver checks it after reassembly, so it can only be computed before fragmenting).
 * <p>
 * IPv4 (as Linux {@code ip_do_fragment}): every fragment repeats the L2 and IPv4 header; fragments after the first
 * have their non-copied options replaced by NOPs ({@code ip_options_fragment}); the same identification, offsets in
 * 8-byte units, MF on all but the last, total length and header checksum per fragment. A packet with DF set is
 * refused with {@link OffloadStatus#DONT_FRAGMENT}.
 * <p>
 * IPv6 (as {@code ip6_fragment}): the unfragmentable part (IPv6 header, hop-by-hop, routing, and destination options
 * before a routing header, as {@code ip6_find_1stfragopt}) is repeated, followed by an 8-byte fragment header with
 * the caller's identification; payload length per fragment.
 * <p>
 * Not thread-safe: one instance per thread; allocates nothing after construction.
 */
public final class IpFragmenter
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int FRAGMENT_HEADER_LENGTH = Ipv6ExtensionHeader.FRAGMENT_LENGTH;
    private static final int NEXT_HEADER_FRAGMENT = IpProtocol.FRAGMENT;

    private final InternetChecksum checksum;
    private final ChecksumOffload offload;

    /**
     * A fragmenter that sums with {@code checksum}; one instance per thread.
     * @param checksum the variant for every sum.
     */
    public IpFragmenter(final InternetChecksum checksum)
    {
        this.checksum = checksum;
        this.offload = new ChecksumOffload(checksum);
    }

    /**
     * Fragments the IP packet described by {@code headers} (parsed from {@code src}) to fit {@code mtu}.
     *
     * @param identification the IPv6 fragment identification (IPv4 keeps the packet's own).
     * @param src the packet's buffer.
     * @param headers the packet's headers, parsed from {@code src}.
     * @param mtu the largest IP packet each fragment may be, in bytes.
     * @param out where the fragments are written, one after another.
     * @param outOffset where in {@code out} the first fragment starts.
     * @param outLimit the index in {@code out} no fragment may reach.
     * @param frames receives each fragment's offset and length (reset first).
     * @return {@link OffloadStatus#SPLIT}, or why nothing usable was written.
     */
    public OffloadStatus fragment(
        final DirectBuffer src, final PacketHeaders headers, final int mtu, final int identification,
        final MutableDirectBuffer out, final int outOffset, final int outLimit, final OutputFrames frames)
    {
        frames.clear();
        final L3Protocol l3 = headers.l3();
        if (l3 != L3Protocol.IPV4 && l3 != L3Protocol.IPV6)
        {
            return OffloadStatus.NOT_IP;
        }
        if (headers.isFragment())
        {
            return OffloadStatus.FRAGMENT_L4_LEFT;
        }
        if (l3 == L3Protocol.IPV4 && headers.dontFragment())
        {
            return OffloadStatus.DONT_FRAGMENT;
        }
        final int frameOffset = headers.frameOffset();
        final int l3Offset = headers.l3Offset();
        final int packetEnd = l3Offset + headers.l3Length();
        final int fragmentableStart;
        int nextHeaderField = -1;
        if (l3 == L3Protocol.IPV4)
        {
            fragmentableStart = l3Offset + headers.ipHeaderLength();
        }
        else
        {
            nextHeaderField = l3Offset + Ipv6Header.NEXT_HEADER_OFFSET;
            int position = l3Offset + Ipv6Header.LENGTH;
            boolean routingSeen = false;
            while (true)
            {
                final int nextHeader = src.getByte(nextHeaderField) & 0xFF;
                if (nextHeader == IpProtocol.ROUTING)
                {
                    routingSeen = true;
                }
                else if (!(nextHeader == IpProtocol.HOP_BY_HOP ||
                    (nextHeader == IpProtocol.DESTINATION_OPTIONS && !routingSeen)))
                {
                    break;
                }
                // the parser has checked every extension header lies inside the packet
                nextHeaderField = position;
                position += Ipv6ExtensionHeader.length(src, position, nextHeader);
            }
            fragmentableStart = position;
        }
        final int unfragmentable = fragmentableStart - frameOffset;
        final int inserted = l3 == L3Protocol.IPV6 ? FRAGMENT_HEADER_LENGTH : 0;
        final int fragmentSize = (mtu - (fragmentableStart - l3Offset) - inserted) & ~7;
        if (fragmentSize < 8)
        {
            return OffloadStatus.MSS_TOO_SMALL;
        }
        final int fragmentable = packetEnd - fragmentableStart;
        final int count = Math.max(1, (fragmentable + fragmentSize - 1) / fragmentSize);
        if (count > frames.capacity())
        {
            return OffloadStatus.TOO_MANY_SEGMENTS;
        }
        if ((long)count * (unfragmentable + inserted) + fragmentable > outLimit - (long)outOffset)
        {
            return OffloadStatus.OUTPUT_TOO_SMALL;
        }

        final int l4Field = ChecksumOffload.l4ChecksumFieldOffset(headers);
        final int l4Value = l4Field < 0 ? 0 : wholeDatagramChecksum(src, headers, l4Field);
        final int originalNextHeader = l3 == L3Protocol.IPV6 ? src.getByte(nextHeaderField) & 0xFF : 0;
        final int l3Delta = l3Offset - frameOffset;
        int cursor = outOffset;
        for (int i = 0; i < count; i++)
        {
            final boolean last = i == count - 1;
            final int dataOffset = i * fragmentSize;
            final int dataLength = last ? fragmentable - dataOffset : fragmentSize;
            out.putBytes(cursor, src, frameOffset, unfragmentable);
            final int dataAt = cursor + unfragmentable + inserted;
            out.putBytes(dataAt, src, fragmentableStart + dataOffset, dataLength);
            final int ip = cursor + l3Delta;
            if (l3 == L3Protocol.IPV4)
            {
                final int ipHeaderLength = headers.ipHeaderLength();
                if (i > 0)
                {
                    nopNonCopiedOptions(out, ip + Ipv4Header.OPTIONS_OFFSET, ip + ipHeaderLength);
                }
                Ipv4Header.totalLength(out, ip, ipHeaderLength + dataLength);
                final int flags = (Ipv4Header.flagsFragment(src, l3Offset) & 0x8000) |
                    (last ? 0 : Ipv4Header.MORE_FRAGMENTS);
                Ipv4Header.flagsFragment(out, ip, flags | (dataOffset >>> 3));
                offload.writeIpv4HeaderChecksum(out, ip, ipHeaderLength);
            }
            else
            {
                out.putByte(cursor + (nextHeaderField - frameOffset), (byte)NEXT_HEADER_FRAGMENT);
                final int fragmentHeader = cursor + unfragmentable;
                Ipv6ExtensionHeader.writeFragment(out, fragmentHeader, originalNextHeader, dataOffset, !last, identification);
                Ipv6Header.payloadLength(out, ip,
                    fragmentableStart - l3Offset - Ipv6Header.LENGTH + inserted + dataLength);
            }
            if (l4Field >= 0)
            {
                final int fieldInData = l4Field - fragmentableStart - dataOffset;
                if (fieldInData >= 0 && fieldInData < dataLength)
                {
                    out.putShort(dataAt + fieldInData, (short)l4Value, BE);
                }
            }
            frames.add(cursor, unfragmentable + inserted + dataLength);
            cursor += unfragmentable + inserted + dataLength;
        }
        return OffloadStatus.SPLIT;
    }

    /** The L4 checksum of the whole datagram, summing around the field so the source stays untouched. */
    private int wholeDatagramChecksum(final DirectBuffer src, final PacketHeaders headers, final int field)
    {
        final int l4Offset = headers.l4Offset();
        final int end = l4Offset + headers.l4Length();
        int sum = ChecksumOffload.pseudoHeaderSum(src, headers);
        sum = checksum.sum(src, l4Offset, field - l4Offset, sum);
        // the field lies at an even distance from the L4 header (2, 6 or 16), so the sums add directly
        sum = checksum.sum(src, field + 2, end - field - 2, sum);
        return ChecksumOffload.l4ChecksumValue(headers.l4Protocol(), sum);
    }

    /** RFC 791 / Linux {@code ip_options_fragment}: options without the copied flag become NOPs after fragment 0. */
    private static void nopNonCopiedOptions(final MutableDirectBuffer buffer, final int start, final int end)
    {
        int i = start;
        while (i < end)
        {
            final int type = buffer.getByte(i) & 0xFF;
            if (type == 0)
            {
                return;
            }
            if (type == 1)
            {
                i++;
                continue;
            }
            final int length = buffer.getByte(i + 1) & 0xFF;
            if ((type & 0x80) == 0)
            {
                buffer.setMemory(i, length, (byte)1);
            }
            i += length;
        }
    }

}
