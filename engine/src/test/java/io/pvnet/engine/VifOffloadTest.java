package io.pvnet.engine;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.pvnet.engine.netif.NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The offload step where a guest cannot take offloaded frames, with the checksum module plugged in: checksums completed
 * and TSO frames split in software, checked against an independent RFC 1071 sum; the backend's request to stop tx
 * checksum offload; ifconfig -txcsum / -rxcsum.
 */
class VifOffloadTest
{
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private VifPair pair;

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    private void open(final VifConfig receiver)
    {
        pair = new VifPair(VifConfig.of(1, 0), receiver, new ChecksumFrameOffload());
        pair.pump(3);
        assertTrue(pair.connected());
    }

    /** An Ethernet/IPv4/TCP frame with a patterned payload; the TCP checksum holds only the pseudo-header sum. */
    static UnsafeBuffer partialTcpFrame(final int length, final int seq)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        for (int i = 54; i < length; i++)
        {
            frame.putByte(i, (byte)(i * 7 + 3));
        }
        frame.putShort(12, (short)0x0800, BE);
        frame.putByte(14, (byte)0x45);
        frame.putShort(16, (short)(length - 14), BE);
        frame.putShort(18, (short)77, BE);
        frame.putByte(22, (byte)64);
        frame.putByte(23, (byte)6);
        frame.putInt(26, 0xC0A80A04, BE);
        frame.putInt(30, 0xC0A80A05, BE);
        frame.putShort(34, (short)1234, BE);
        frame.putShort(36, (short)80, BE);
        frame.putInt(38, seq, BE);
        frame.putByte(46, (byte)0x50);
        frame.putByte(47, (byte)0x18);
        frame.putShort(48, (short)8192, BE);
        frame.putShort(50, (short)fold(pseudoSum(frame, length - 34)), BE);
        return frame;
    }

    private static long pseudoSum(final UnsafeBuffer frame, final int tcpLength)
    {
        return (frame.getShort(26, BE) & 0xFFFF) + (frame.getShort(28, BE) & 0xFFFF) + (frame.getShort(30, BE) & 0xFFFF) +
            (frame.getShort(32, BE) & 0xFFFF) + 6 + tcpLength;
    }

    private static int fold(long sum)
    {
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    /** RFC 1071 over bytes: 0xFFFF (i.e. a complemented 0) when the data including its checksum field is intact. */
    private static int sum(final byte[] bytes, final int from, final int to, final long initial)
    {
        long sum = initial;
        for (int i = from; i < to; i += 2)
        {
            sum += ((bytes[i] & 0xFF) << 8) | (i + 1 < to ? bytes[i + 1] & 0xFF : 0);
        }
        return fold(sum);
    }

    private static void assertChecksumsValid(final byte[] frame)
    {
        assertEquals(0xFFFF, sum(frame, 14, 34, 0), "IPv4 header checksum");
        final int ipLength = ((frame[16] & 0xFF) << 8) | (frame[17] & 0xFF);
        final int tcpLength = ipLength - 20;
        final long pseudo = (((frame[26] & 0xFF) << 8) | (frame[27] & 0xFF)) + (((frame[28] & 0xFF) << 8) | (frame[29] & 0xFF)) +
            (((frame[30] & 0xFF) << 8) | (frame[31] & 0xFF)) + (((frame[32] & 0xFF) << 8) | (frame[33] & 0xFF)) + 6 + tcpLength;
        assertEquals(0xFFFF, sum(frame, 34, 34 + tcpLength, pseudo), "TCP checksum");
    }

    @Test
    void shouldCompleteTheChecksumForAGuestWithoutChecksumOffload()
    {
        open(VifConfig.of(2, 0).withOffloads(false, false, false));
        final UnsafeBuffer frame = partialTcpFrame(1000, 1);
        pair.frontends[0].transmit(frame, 0, 1000, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0));
        pair.frontends[0].flush();
        pair.pump(3);
        assertEquals(1, pair.received[1].frames.size());
        assertEquals(FrameFlags.DATA_VALIDATED, pair.received[1].flags.get(0));
        assertChecksumsValid(pair.received[1].frames.get(0));
        assertEquals(1, pair.backends[1].counters().get(VifCounters.CSUM_COMPLETED));
    }

    @Test
    void shouldSplitATsoFrameForAGuestWithoutTso()
    {
        open(VifConfig.of(2, 0).withOffloads(true, false, false));
        final int length = 60000;
        final UnsafeBuffer frame = partialTcpFrame(length, 1000);
        assertEquals(VifFrontend.OK, pair.frontends[0].transmit(frame, 0, length,
            FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 1448, XEN_NETIF_GSO_TYPE_TCPV4)));
        pair.frontends[0].flush();
        pair.pump(4);
        final int payload = length - 54;
        final int segments = (payload + 1447) / 1448;
        assertEquals(segments, pair.received[1].frames.size());
        assertEquals(segments, pair.backends[1].counters().get(VifCounters.TSO_SEGMENTS));
        int seq = 1000;
        int total = 0;
        for (int i = 0; i < segments; i++)
        {
            final byte[] segment = pair.received[1].frames.get(i);
            assertChecksumsValid(segment);
            assertEquals(0, pair.received[1].gso.get(i));
            assertEquals(seq, ByteBuffer.wrap(segment, 38, 4).getInt(), "sequence of segment " + i);
            final int data = segment.length - 54;
            assertTrue(data <= 1448);
            for (int b = 0; b < data; b += 97)
            {
                assertEquals((byte)((54 + total + b) * 7 + 3), segment[54 + b], "payload byte " + (total + b));
            }
            seq += data;
            total += data;
        }
        assertEquals(payload, total);
    }

    @Test
    void shouldStopOffloadingTxChecksumsWhenTheBackendAsks()
    {
        open(VifConfig.of(2, 0));
        pair.backends[0].requestNoTxChecksumOffload(true);
        pair.pump(1);
        assertTrue(pair.frontends[0].isTxChecksumOffloadStopped());
        final UnsafeBuffer frame = partialTcpFrame(600, 5);
        assertEquals(VifFrontend.OK, pair.frontends[0].transmit(frame, 0, 600,
            FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0)));
        pair.frontends[0].flush();
        pair.pump(3);
        assertEquals(1, pair.received[1].frames.size());
        assertEquals(0, pair.received[1].flags.get(0) & FrameFlags.CSUM_PARTIAL, "no csum_blank on the wire any more");
        assertChecksumsValid(pair.received[1].frames.get(0));
        assertEquals(0, pair.backends[1].counters().get(VifCounters.CSUM_COMPLETED), "the guest did it, not the host");
    }

    @Test
    void shouldSegmentInTheGuestWhenChecksumOffloadIsStoppedForTsoFrames()
    {
        open(VifConfig.of(2, 0));
        pair.backends[0].requestNoTxChecksumOffload(true);
        pair.pump(1);
        final UnsafeBuffer frame = partialTcpFrame(10000, 9);
        assertEquals(VifFrontend.OK, pair.frontends[0].transmit(frame, 0, 10000,
            FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 1448, XEN_NETIF_GSO_TYPE_TCPV4)));
        pair.frontends[0].flush();
        pair.pump(3);
        assertEquals((10000 - 54 + 1447) / 1448, pair.received[1].frames.size());
        for (final byte[] segment : pair.received[1].frames)
        {
            assertChecksumsValid(segment);
        }
    }

    @Test
    void shouldCompleteChecksumsTowardTheGuestAfterIfconfigMinusTxcsum()
    {
        open(VifConfig.of(2, 0));
        final UnsafeBuffer frame = partialTcpFrame(700, 3);
        pair.frontends[0].transmit(frame, 0, 700, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0));
        pair.frontends[0].flush();
        pair.pump(3);
        assertEquals(FrameFlags.CSUM_PARTIAL, pair.received[1].flags.get(0) & FrameFlags.CSUM_PARTIAL);

        pair.vifRegion.store().write("backend/vif/2/0/txcsum", "0");
        pair.pump(1);
        pair.frontends[0].transmit(frame, 0, 700, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0));
        pair.frontends[0].flush();
        pair.pump(3);
        assertEquals(2, pair.received[1].frames.size());
        assertEquals(0, pair.received[1].flags.get(1) & FrameFlags.CSUM_PARTIAL);
        assertChecksumsValid(pair.received[1].frames.get(1));
    }

    @Test
    void shouldCompleteChecksumsAtIngressAfterIfconfigMinusRxcsum()
    {
        open(VifConfig.of(2, 0));
        pair.vifRegion.store().write("backend/vif/1/0/rxcsum", "0");
        pair.pump(1);
        final UnsafeBuffer frame = partialTcpFrame(700, 3);
        pair.frontends[0].transmit(frame, 0, 700, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, 0, 0));
        pair.frontends[0].flush();
        pair.pump(3);
        assertEquals(1, pair.backends[0].counters().get(VifCounters.CSUM_COMPLETED));
        assertEquals(FrameFlags.DATA_VALIDATED, pair.received[1].flags.get(0));
        assertChecksumsValid(pair.received[1].frames.get(0));
    }
}
