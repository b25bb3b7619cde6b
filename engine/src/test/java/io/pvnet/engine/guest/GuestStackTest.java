package io.pvnet.engine.guest;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.offload.ChecksumOffload;
import io.pvnet.checksum.offload.OffloadStatus;
import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.TestChecksums;
import io.pvnet.testsupport.AllocationRounds;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestStackTest
{
    /** Reused for every frame handed in, as the data path does (so the allocation checks see none). */
    private final FrameMetadata metadata = new FrameMetadata();

    private static final long GUEST_MAC = 0x02_00_00_00_00_02L;
    private static final long PEER_MAC = 0x02_00_00_00_00_01L;
    private static final int GUEST_IP = 0xC000_0202;
    private static final int PEER_IP = 0xC000_0201;
    private static final byte[] GUEST_IP6 = {(byte)0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

    private final List<byte[]> sent = new ArrayList<>();
    private final FrameSink recorder = (buffer, offset, length, metadata) ->
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        sent.add(copy);
        return 0;
    };
    private final GuestStack stack = new GuestStack(GUEST_MAC, GUEST_IP, 24, GUEST_IP6, 1500, recorder);
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));

    @Test
    void shouldAnswerArpForItsAddressOnlyAndLearnTheAsker()
    {
        stack.onFrame(frame, 0, arpRequest(0xC000_0263), metadata.set(0, 0, 0));
        assertEquals(0, sent.size(), "not our address");
        stack.onFrame(frame, 0, arpRequest(GUEST_IP), metadata.set(0, 0, 0));
        assertEquals(1, sent.size());
        final UnsafeBuffer reply = new UnsafeBuffer(sent.get(0));
        assertEquals(2, reply.getShort(20, BIG_ENDIAN));
        assertEquals(GUEST_MAC, EthernetHeader.mac(reply, 22));
        assertEquals(GUEST_IP, reply.getInt(28, BIG_ENDIAN));
        assertEquals(PEER_MAC, EthernetHeader.mac(reply, 0));
        assertEquals(PEER_IP, reply.getInt(38, BIG_ENDIAN));
        assertEquals(PEER_MAC, stack.neighbourMac4(PEER_IP));
    }

    @Test
    void shouldResolveANeighbourByNdpWithSolicitationAndAdvertisementAsRfc4861Lays()
    {
        final byte[] peerIp6 = GUEST_IP6.clone();
        peerIp6[15] = 1;
        final List<byte[]> peerSent = new ArrayList<>();
        final GuestStack peer = new GuestStack(PEER_MAC, PEER_IP, 24, peerIp6, 1500,
            (buffer, offset, length, metadata) ->
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                peerSent.add(copy);
                return 0;
            });

        peer.sendNeighbourSolicitation(GUEST_IP6);
        assertEquals(1, peerSent.size());
        final UnsafeBuffer solicitation = new UnsafeBuffer(peerSent.get(0));
        assertEquals(86, solicitation.capacity());
        assertEquals(0x3333_FF00_0002L, EthernetHeader.mac(solicitation, 0), "solicited-node multicast MAC");
        assertEquals(0xFF02_0000_0000_0000L, solicitation.getLong(38, BIG_ENDIAN));
        assertEquals(0x0000_0001_FF00_0002L, solicitation.getLong(46, BIG_ENDIAN), "ff02::1:ff00:2");
        assertEquals(255, solicitation.getByte(21) & 0xFF, "hop limit");
        assertEquals(135, solicitation.getByte(54) & 0xFF);
        assertArrayEquals(GUEST_IP6, copyOf(solicitation, 62, 16));
        assertEquals(1, solicitation.getByte(78), "source link-layer address option");
        assertEquals(PEER_MAC, EthernetHeader.mac(solicitation, 80));
        assertChecksumsValid(solicitation);

        stack.onFrame(solicitation, 0, solicitation.capacity(), metadata.set(0, 0, 0));
        assertEquals(PEER_MAC, stack.neighbourMac6(peerIp6), "the solicitation's source learned");
        assertEquals(1, sent.size());
        final UnsafeBuffer advertisement = new UnsafeBuffer(sent.get(0));
        assertEquals(86, advertisement.capacity());
        assertEquals(PEER_MAC, EthernetHeader.mac(advertisement, 0));
        assertEquals(GUEST_MAC, EthernetHeader.mac(advertisement, 6));
        assertArrayEquals(GUEST_IP6, copyOf(advertisement, 22, 16));
        assertArrayEquals(peerIp6, copyOf(advertisement, 38, 16));
        assertEquals(136, advertisement.getByte(54) & 0xFF);
        assertEquals(0x6000_0000, advertisement.getInt(58, BIG_ENDIAN), "solicited and override");
        assertArrayEquals(GUEST_IP6, copyOf(advertisement, 62, 16));
        assertEquals(2, advertisement.getByte(78), "target link-layer address option");
        assertEquals(GUEST_MAC, EthernetHeader.mac(advertisement, 80));
        assertChecksumsValid(advertisement);

        peer.onFrame(advertisement, 0, advertisement.capacity(), metadata.set(0, 0, 0));
        assertEquals(GUEST_MAC, peer.neighbourMac6(GUEST_IP6));
    }

    private static byte[] copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static void assertChecksumsValid(final DirectBuffer frame)
    {
        final PacketHeaders headers = new PacketHeaders();
        assertEquals(ParseStatus.OK, HeaderParser.parse(frame, 0, frame.capacity(), headers));
        assertEquals(OffloadStatus.VALID, new ChecksumOffload(Checksums.reference()).verify(frame, headers));
    }

    @Test
    void shouldReassembleAFragmentedEchoRequestInAnyOrderAndFragmentTheReply()
    {
        final int payload = 4000;
        final byte[] icmp = new byte[8 + payload];
        icmp[0] = 8;
        icmp[4] = 0x12;
        icmp[6] = 0x01;
        for (int i = 8; i < icmp.length; i++)
        {
            icmp[i] = (byte)(i * 31);
        }
        final UnsafeBuffer icmpBuffer = new UnsafeBuffer(icmp);
        icmpBuffer.putShort(2, (short)~TestChecksums.fold(TestChecksums.sum(icmpBuffer, 0, icmp.length, 0)), BIG_ENDIAN);
        // three fragments of 1480, 1480, 1048 bytes, sent last, first, middle
        final int[] offsets = {2960, 0, 1480};
        for (final int at : offsets)
        {
            final int piece = Math.min(1480, icmp.length - at);
            final boolean more = at + piece < icmp.length;
            final int length = ipv4Header(1, 20 + piece, 0x77, (at / 8) | (more ? 0x2000 : 0));
            frame.putBytes(34, icmp, at, piece);
            stack.onFrame(frame, 0, length, metadata.set(0, 0, 0));
        }
        assertEquals(1, stack.reassembled());
        assertEquals(3, sent.size(), "4008 bytes of ICMP in 1500-byte packets");
        final byte[] reassembled = new byte[icmp.length];
        int covered = 0;
        for (final byte[] fragment : sent)
        {
            final UnsafeBuffer reply = new UnsafeBuffer(fragment);
            assertEquals(0xFFFF, TestChecksums.fold(TestChecksums.sum(reply, 14, 20, 0)), "IPv4 header checksum");
            assertTrue((reply.getShort(16, BIG_ENDIAN) & 0xFFFF) <= 1500);
            final int fragmentOffset = (reply.getShort(20, BIG_ENDIAN) & 0x1FFF) * 8;
            final int piece = (reply.getShort(16, BIG_ENDIAN) & 0xFFFF) - 20;
            reply.getBytes(34, reassembled, fragmentOffset, piece);
            covered += piece;
            assertEquals(PEER_IP, reply.getInt(30, BIG_ENDIAN));
        }
        assertEquals(icmp.length, covered);
        assertEquals(0, reassembled[0], "echo reply");
        assertEquals(0xFFFF, TestChecksums.fold(TestChecksums.sum(new UnsafeBuffer(reassembled), 0, reassembled.length, 0)));
        for (int i = 8; i < icmp.length; i++)
        {
            assertEquals(icmp[i], reassembled[i], "payload byte " + i);
        }
    }

    @Test
    void shouldAcceptAConnectionAcknowledgeDataInOrderAndAnswerFin()
    {
        stack.onFrame(frame, 0, tcp(1000, 0, 0x02, 0), metadata.set(0, 0, 0));
        final UnsafeBuffer synAck = new UnsafeBuffer(sent.get(0));
        assertEquals(0x12, synAck.getByte(47));
        assertEquals(1001, synAck.getInt(42, BIG_ENDIAN));
        assertEquals(0xFFFF, TestChecksums.fold(tcpSum(synAck)), "TCP checksum of the SYN-ACK");
        final long iss = synAck.getInt(38, BIG_ENDIAN) & 0xFFFF_FFFFL;
        stack.onFrame(frame, 0, tcp(1001, iss + 1, 0x18, 1400), metadata.set(0, 0, 0));
        stack.onFrame(frame, 0, tcp(5000, iss + 1, 0x18, 1400), metadata.set(0, 0,
            0)); // out of order: acknowledged with 2401
        stack.onFrame(frame, 0, tcp(2401, iss + 1, 0x11, 100), metadata.set(0, 0, 0));
        assertEquals(4, sent.size());
        assertEquals(2401, new UnsafeBuffer(sent.get(1)).getInt(42, BIG_ENDIAN));
        assertEquals(2401, new UnsafeBuffer(sent.get(2)).getInt(42, BIG_ENDIAN));
        final UnsafeBuffer finAck = new UnsafeBuffer(sent.get(3));
        assertEquals(0x11, finAck.getByte(47));
        assertEquals(2502, finAck.getInt(42, BIG_ENDIAN));
        assertEquals(1500, stack.tcpPayloadBytes());
    }

    @Test
    void shouldEchoUdpWithoutAllocating()
    {
        final int length = udpToEchoPort(512);
        for (int i = 0; i < 20_000; i++)
        {
            stack.onFrame(frame, 0, length, metadata.set(0, 0, 0));
        }
        final GuestStack quiet = new GuestStack(GUEST_MAC, GUEST_IP, 24, GUEST_IP6, 1500,
            (buffer, offset, frameLength, metadata) -> 0);
        for (int i = 0; i < 20_000; i++)
        {
            quiet.onFrame(frame, 0, length, metadata.set(0, 0, 0));
        }
        final AllocationRounds run = new AllocationRounds().runUntilBelow(1024, () ->
        {
            for (int i = 0; i < 100_000; i++)
            {
                quiet.onFrame(frame, 0, length, metadata.set(0, 0, 0));
            }
        });
        assertEquals(20_000 + run.rounds * 100_000L, quiet.udpEchoes());
        assertTrue(run.lastAllocated < 1024, "allocated " + run.lastAllocated + " bytes for 100k echoes");
        final UnsafeBuffer echo = new UnsafeBuffer(sent.get(0));
        assertEquals(7, echo.getShort(34, BIG_ENDIAN));
        assertEquals(0xFFFF, TestChecksums.fold(udpSum(echo)), "UDP checksum of the echo");
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes(length), 42, length),
            java.util.Arrays.copyOfRange(sent.get(0), 42, length));
    }

    @Test
    void shouldCompleteTheChecksumOfAnEchoWhoseRequestCarriedOnlyThePseudoHeaderSum()
    {
        final int length = udpToEchoPort(64);
        // CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, the sender's device was to complete it
        frame.putShort(40, (short)TestChecksums.fold(TestChecksums.sum(frame, 26, 8, 0) + 17 + 8 + 64), BIG_ENDIAN);
        stack.onFrame(frame, 0, length, metadata.set(io.pvnet.engine.frame.FrameFlags.CSUM_PARTIAL, 0, 0));
        final UnsafeBuffer echo = new UnsafeBuffer(sent.get(sent.size() - 1));
        assertEquals(0xFFFF, TestChecksums.fold(udpSum(echo)), "UDP checksum of the echo");
    }

    @Test
    void shouldEchoADatagramWithoutChecksumWithoutOne()
    {
        final int length = udpToEchoPort(64);
        frame.putShort(40, (short)0);
        stack.onFrame(frame, 0, length, metadata.set(0, 0, 0));
        final UnsafeBuffer echo = new UnsafeBuffer(sent.get(sent.size() - 1));
        assertEquals(7, echo.getShort(34, BIG_ENDIAN));
        assertEquals(0, echo.getShort(40), "UDP checksum 0 (none, RFC 768) echoed as none");
    }

    private byte[] bytes(final int length)
    {
        final byte[] copy = new byte[length];
        frame.getBytes(0, copy);
        return copy;
    }

    private int arpRequest(final int target)
    {
        EthernetHeader.putMac(frame, 0, 0xFFFF_FFFF_FFFFL);
        EthernetHeader.putMac(frame, 6, PEER_MAC);
        frame.putShort(12, (short)0x0806, BIG_ENDIAN);
        frame.putShort(14, (short)1, BIG_ENDIAN);
        frame.putShort(16, (short)0x0800, BIG_ENDIAN);
        frame.putByte(18, (byte)6);
        frame.putByte(19, (byte)4);
        frame.putShort(20, (short)1, BIG_ENDIAN);
        EthernetHeader.putMac(frame, 22, PEER_MAC);
        frame.putInt(28, PEER_IP, BIG_ENDIAN);
        EthernetHeader.putMac(frame, 32, 0);
        frame.putInt(38, target, BIG_ENDIAN);
        return 42;
    }

    private int ipv4Header(final int protocol, final int totalLength, final int id, final int fragmentField)
    {
        EthernetHeader.putMac(frame, 0, GUEST_MAC);
        EthernetHeader.putMac(frame, 6, PEER_MAC);
        frame.putShort(12, (short)0x0800, BIG_ENDIAN);
        frame.putByte(14, (byte)0x45);
        frame.putByte(15, (byte)0);
        frame.putShort(16, (short)totalLength, BIG_ENDIAN);
        frame.putShort(18, (short)id, BIG_ENDIAN);
        frame.putShort(20, (short)fragmentField, BIG_ENDIAN);
        frame.putByte(22, (byte)64);
        frame.putByte(23, (byte)protocol);
        frame.putShort(24, (short)0);
        frame.putInt(26, PEER_IP, BIG_ENDIAN);
        frame.putInt(30, GUEST_IP, BIG_ENDIAN);
        frame.putShort(24, (short)~TestChecksums.fold(TestChecksums.sum(frame, 14, 20, 0)), BIG_ENDIAN);
        return 14 + totalLength;
    }

    private int tcp(final long seq, final long ack, final int flags, final int payload)
    {
        final int length = ipv4Header(6, 40 + payload, 1, 0x4000);
        frame.putShort(34, (short)40000, BIG_ENDIAN);
        frame.putShort(36, (short)9, BIG_ENDIAN);
        frame.putInt(38, (int)seq, BIG_ENDIAN);
        frame.putInt(42, (int)ack, BIG_ENDIAN);
        frame.putByte(46, (byte)0x50);
        frame.putByte(47, (byte)flags);
        frame.putShort(48, (short)65535, BIG_ENDIAN);
        frame.putInt(50, 0);
        frame.putShort(50, (short)~TestChecksums.fold(tcpSum(frame)), BIG_ENDIAN);
        return length;
    }

    private int udpToEchoPort(final int payload)
    {
        final int length = ipv4Header(17, 28 + payload, 2, 0x4000);
        frame.putShort(34, (short)40000, BIG_ENDIAN);
        frame.putShort(36, (short)7, BIG_ENDIAN);
        frame.putShort(38, (short)(8 + payload), BIG_ENDIAN);
        frame.putShort(40, (short)0);
        for (int i = 0; i < payload; i++)
        {
            frame.putByte(42 + i, (byte)(i * 13));
        }
        frame.putShort(40, (short)~TestChecksums.fold(udpSum(frame)), BIG_ENDIAN);
        return length;
    }

    private static long tcpSum(final DirectBuffer buffer)
    {
        final int l4Length = (buffer.getShort(16, BIG_ENDIAN) & 0xFFFF) - 20;
        return TestChecksums.sum(buffer, 34, l4Length, TestChecksums.sum(buffer, 26, 8, 0) + 6 + l4Length);
    }

    private static long udpSum(final DirectBuffer buffer)
    {
        final int l4Length = (buffer.getShort(16, BIG_ENDIAN) & 0xFFFF) - 20;
        return TestChecksums.sum(buffer, 34, l4Length, TestChecksums.sum(buffer, 26, 8, 0) + 17 + l4Length);
    }
}
