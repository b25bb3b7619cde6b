package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.PacketChecksums;
import io.pvnet.checksum.packet.UdpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link DatagramChecksum} against the whole sum: the same UDP checksum for every payload size from a probe's 12 bytes
 * to 9,000, odd and even, random probes, ports and addresses, with the per-size cache reused.
 */
class DatagramChecksumTest
{
    private static final int PAYLOAD = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    @Test
    void shouldWriteTheChecksumThatSummingTheWholeDatagramGives()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(EthernetHeader.LENGTH + 65535));
        GenPayloadDescriptor.fillPattern(frame, PAYLOAD, frame.capacity() - PAYLOAD);
        final DatagramChecksum checksum = new DatagramChecksum(TrafficGenerator.MAX_PAYLOAD);
        final FrameBuilder builder = new FrameBuilder();
        final SplittableRandom random = new SplittableRandom(15);
        for (int round = 0; round < 3; round++)
        {
            for (int size = GenPayloadDescriptor.LENGTH; size <= 9_000; size += size < 200 ? 1 : 97)
            {
                final int source = random.nextInt();
                final int destination = random.nextInt();
                final int sourcePort = random.nextInt(65536);
                final int port = random.nextInt(65536);
                builder.wrap(frame, 0).ethernet(0x0200_0000_0001L, 0x0200_0000_0002L).ipv4(source, destination)
                    .identification(random.nextInt(65536));
                builder.udp(sourcePort, port);
                GenPayloadDescriptor.writeProbe(frame, PAYLOAD, size, random.nextInt(), random.nextLong());
                builder.payloadLength(size).buildPartial();
                final int l4 = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH;
                checksum.complete(frame, l4, size);
                final int fast = frame.getShort(l4 + UdpHeader.CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
                PacketChecksums.transport4(frame, EthernetHeader.LENGTH, IpProtocol.UDP, l4, UdpHeader.LENGTH + size);
                final int whole = frame.getShort(l4 + UdpHeader.CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
                assertEquals(whole, fast, "size " + size + " round " + round);
            }
        }
    }
}
