package io.pvnet.checksum.pcap;

import io.pvnet.testsupport.TestFrames;
import io.pvnet.testsupport.Tshark;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.pvnet.testsupport.TestFrames.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapTest
{
    @TempDir
    Path dir;

    private static byte[] current(final PcapReader reader)
    {
        final byte[] bytes = new byte[reader.capturedLength()];
        reader.buffer().getBytes(reader.frameOffset(), bytes);
        return bytes;
    }

    @Test
    void shouldRoundTripFramesAndTimestamps() throws IOException
    {
        final Path file = dir.resolve("round.pcap");
        final byte[][] frames = new byte[300][];
        try (PcapWriter writer = PcapWriter.create(file))
        {
            for (int i = 0; i < frames.length; i++)
            {
                frames[i] = frame().payload(i * 37 % 9000, i).build();
                final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(frames[i].length + 9));
                buffer.putBytes(9, frames[i]);
                writer.write(buffer, 9, frames[i].length, 1_700_000_000_123_456_789L + i);
            }
            assertEquals(300, writer.recordCount());
        }
        try (PcapReader reader = new PcapReader(file))
        {
            assertFalse(reader.isPcapng());
            for (int i = 0; i < frames.length; i++)
            {
                assertTrue(reader.next());
                assertArrayEquals(frames[i], current(reader));
                assertEquals(frames[i].length, reader.originalLength());
                assertEquals(1_700_000_000_123_456_789L + i, reader.timestampNanos());
                assertEquals(PcapWriter.LINKTYPE_ETHERNET, reader.linkType());
            }
            assertFalse(reader.next());
        }
    }

    @Test
    void shouldReadBigEndianMicrosecondPcap() throws IOException
    {
        final ByteBuffer file = ByteBuffer.allocate(24 + 16 + 4).order(ByteOrder.BIG_ENDIAN);
        file.putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65535).putInt(1);
        file.putInt(1000).putInt(250).putInt(4).putInt(60).put(new byte[] {1, 2, 3, 4});
        final Path path = dir.resolve("be.pcap");
        Files.write(path, file.array());
        try (PcapReader reader = new PcapReader(path))
        {
            assertTrue(reader.next());
            assertArrayEquals(new byte[] {1, 2, 3, 4}, current(reader));
            assertEquals(60, reader.originalLength());
            assertEquals(1000_000_250_000L, reader.timestampNanos());
            assertFalse(reader.next());
        }
    }

    private static void block(final ByteBuffer out, final int type, final byte[] body)
    {
        final int padded = (body.length + 3) & ~3;
        out.putInt(type).putInt(12 + padded).put(body).put(new byte[padded - body.length]).putInt(12 + padded);
    }

    private static byte[] pcapng(final ByteOrder order, final byte[] first, final byte[] second)
    {
        final ByteBuffer out = ByteBuffer.allocate(4096).order(order);
        final ByteBuffer shb = ByteBuffer.allocate(16).order(order);
        shb.putInt(0x1A2B3C4D).putShort((short)1).putShort((short)0).putLong(-1);
        block(out, 0x0A0D0D0A, shb.array());
        final ByteBuffer idb = ByteBuffer.allocate(16).order(order);
        // link type 1, snaplen 0; option if_tsresol (9) = 9 (nanoseconds), then opt_endofopt
        idb.putShort((short)1).putShort((short)0).putInt(0).putShort((short)9).putShort((short)1).put((byte)9)
            .put(new byte[3]);
        block(out, 1, idb.array());
        block(out, 4, new byte[8]); // name resolution block: skipped
        final ByteBuffer epb = ByteBuffer.allocate(20 + first.length).order(order);
        final long ts = 1_600_000_000_000_000_001L;
        epb.putInt(0).putInt((int)(ts >>> 32)).putInt((int)ts).putInt(first.length).putInt(first.length + 10).put(first);
        block(out, 6, epb.array());
        final ByteBuffer spb = ByteBuffer.allocate(4 + second.length).order(order);
        spb.putInt(second.length).put(second);
        block(out, 3, spb.array());
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void shouldReadPcapngInEitherByteOrder() throws IOException
    {
        final byte[] first = frame().payload(33, 1).build();
        final byte[] second = frame().ipv6().payload(7, 2).build();
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
        {
            final Path path = dir.resolve("x-" + order + ".pcapng");
            Files.write(path, pcapng(order, first, second));
            try (PcapReader reader = new PcapReader(path))
            {
                assertTrue(reader.isPcapng());
                assertTrue(reader.next());
                assertArrayEquals(first, current(reader));
                assertEquals(first.length + 10, reader.originalLength());
                assertEquals(1_600_000_000_000_000_001L, reader.timestampNanos());
                assertTrue(reader.next());
                assertArrayEquals(second, current(reader));
                assertFalse(reader.next());
            }
        }
    }

    @Test
    void shouldReportDamagedFilesWithTheirOffset() throws IOException
    {
        final Path file = dir.resolve("cut.pcap");
        try (PcapWriter writer = PcapWriter.create(file))
        {
            final byte[] frame = frame().payload(100, 1).build();
            writer.write(new UnsafeBuffer(frame), 0, frame.length, 0);
        }
        final byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 1));
        try (PcapReader reader = new PcapReader(file))
        {
            final IOException ex = assertThrows(IOException.class, reader::next);
            assertTrue(ex.getMessage().contains("damaged at byte 24"), ex.getMessage());
        }
        Files.write(file, TestFrames.hex("0001020304050607"));
        assertThrows(IOException.class, () -> new PcapReader(file).close());
    }

    @Test
    void shouldReadWhatTsharkConvertsToPcapng() throws Exception
    {
        final String tshark = Tshark.tsharkOrSkip();
        final Path pcap = dir.resolve("in.pcap");
        final byte[][] frames = {frame().payload(10, 1).build(), frame().ipv6().payload(1000, 2).build()};
        try (PcapWriter writer = PcapWriter.create(pcap))
        {
            for (int i = 0; i < frames.length; i++)
            {
                writer.write(new UnsafeBuffer(frames[i]), 0, frames[i].length, 1_000_000_000L * (i + 1) + 5000);
            }
        }
        final Path pcapng = dir.resolve("out.pcapng");
        Tshark.run(tshark, "-r", pcap.toString(), "-F", "pcapng", "-w", pcapng.toString());
        try (PcapReader reader = new PcapReader(pcapng))
        {
            assertTrue(reader.isPcapng());
            for (int i = 0; i < frames.length; i++)
            {
                assertTrue(reader.next());
                assertArrayEquals(frames[i], current(reader));
                assertEquals(1_000_000_000L * (i + 1) + 5000, reader.timestampNanos());
            }
            assertFalse(reader.next());
        }
    }
}
