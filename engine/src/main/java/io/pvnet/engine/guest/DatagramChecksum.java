package io.pvnet.engine.guest;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.InternetChecksum;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.PacketChecksums;
import io.pvnet.checksum.packet.UdpHeader;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Completes the UDP checksum of a generator's datagram without summing its whole payload each time: the payload is a
 * {@link GenPayloadDescriptor} probe (12 bytes that change with every datagram) followed by the fixed pattern, whose
 * sum depends only on the payload's size and is computed once per size. So a datagram costs the sum of its 8-byte
 * header, the pseudo-header and its 12-byte probe, whatever its size; summing every datagram whole was a third of
 * {@code pvnet gen}'s CPU at 64 bytes (a JFR profile, issue 15).
 * <p>
 * Threading: the generator's thread. Allocates its table of sums once; completing a checksum allocates nothing.
 */
final class DatagramChecksum
{
    private static final InternetChecksum SUM = Checksums.longWord();

    /** The folded sum of the pattern after the probe, by payload size; -1 until computed. */
    private final int[] patternSums;

    /** @param maxPayload the largest payload size that will be completed. */
    DatagramChecksum(final int maxPayload)
    {
        patternSums = new int[maxPayload + 1];
        Arrays.fill(patternSums, -1);
    }

    /**
     * Writes the complete UDP checksum of the datagram at {@code l4}: its checksum field holds the folded IPv4
     * pseudo-header sum ({@code FrameBuilder.buildPartial}), its payload of {@code size >=}
     * {@link GenPayloadDescriptor#LENGTH} bytes is a probe followed by the pattern that was in {@code frame} at the
     * first call for this size.
     *
     * @param frame the frame.
     * @param l4    index of the UDP header.
     * @param size  payload bytes, at least {@link GenPayloadDescriptor#LENGTH}.
     */
    void complete(final MutableDirectBuffer frame, final int l4, final int size)
    {
        final int payload = l4 + UdpHeader.LENGTH;
        int pattern = patternSums[size];
        if (pattern < 0)
        {
            // the pattern starts at an even distance from the header (the probe is 12 bytes): its sum adds as it is
            pattern = SUM.sum(frame, payload + GenPayloadDescriptor.LENGTH, size - GenPayloadDescriptor.LENGTH);
            patternSums[size] = pattern;
        }
        // the header's four 16-bit words (ports, length, the pseudo-header sum in the checksum field) and the probe's
        // six, added as five 32-bit words (2^16 = 1 modulo 0xFFFF: the folded sum is the same; half the bounds-checked
        // reads of 16-bit ones, which a JFR profile put at a third of gen's samples)
        long sum = pattern;
        for (int i = 0; i < UdpHeader.LENGTH + GenPayloadDescriptor.LENGTH; i += Integer.BYTES)
        {
            sum += frame.getInt(l4 + i, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        }
        frame.putShort(l4 + UdpHeader.CHECKSUM_OFFSET,
            (short)PacketChecksums.fieldValue(IpProtocol.UDP, Checksums.fold(sum)), ByteOrder.BIG_ENDIAN);
    }
}
