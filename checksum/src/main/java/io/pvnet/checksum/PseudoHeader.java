package io.pvnet.checksum;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Sums of the TCP/UDP/ICMPv6 pseudo-headers (RFC 793 / 768 for IPv4, RFC 8200 section 8.1 for IPv6), read from the
 * addresses in place. Results are folded 16-bit sums (not complemented) to pass as the {@code initial} of
 * {@link InternetChecksum#sum(DirectBuffer, int, int, int)}. Stateless.
 */
public final class PseudoHeader
{
    private PseudoHeader()
    {
    }

    /**
     * IPv4: {source, destination, zero, protocol, L4 length}.
     *
     * @param buffer   the frame.
     * @param ipOffset first byte of the IPv4 header.
     * @param protocol the L4 protocol number.
     * @param l4Length the L4 header plus payload length in bytes (the IPv4 total length minus the header length).
     * @return the folded sum.
     */
    public static int ipv4(final DirectBuffer buffer, final int ipOffset, final int protocol, final int l4Length)
    {
        long sum = protocol + (long)l4Length;
        sum += wordsOf(buffer, ipOffset + 12, 8);
        return Checksums.fold(sum);
    }

    /**
     * IPv6: {source, final destination, 32-bit upper-layer length, three zero bytes, next header}.
     *
     * @param buffer             the frame.
     * @param sourceOffset       the 16-byte source address (the IPv6 header + 8).
     * @param destinationOffset  the 16-byte final destination (the IPv6 header + 24, or the last address of a
     *                           routing header with segments left).
     * @param nextHeader         the upper-layer protocol.
     * @param upperLayerLength   the L4 header plus payload length in bytes.
     * @return the folded sum.
     */
    public static int ipv6(
        final DirectBuffer buffer, final int sourceOffset, final int destinationOffset, final int nextHeader,
        final long upperLayerLength)
    {
        long sum = nextHeader + (upperLayerLength >>> 16) + (upperLayerLength & 0xFFFF);
        sum += wordsOf(buffer, sourceOffset, 16);
        sum += wordsOf(buffer, destinationOffset, 16);
        return Checksums.fold(sum);
    }

    private static long wordsOf(final DirectBuffer buffer, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 4)
        {
            final int v = buffer.getInt(offset + i, ByteOrder.BIG_ENDIAN);
            sum += (v >>> 16) + (v & 0xFFFF);
        }
        return sum;
    }
}
