package io.pvnet.perf.cli;

import io.pvnet.checksum.pcap.PcapReader;
import io.pvnet.checksum.pcap.PcapWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffloadCommandTest
{
    @TempDir
    Path dir;

    /** An Ethernet/IPv4/TCP frame of {@code payload} bytes with blank checksums, as a TSO-capable guest sends it. */
    private static UnsafeBuffer tcpFrame(final int payload)
    {
        final int ipLength = 20 + 20 + payload;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[14 + ipLength]);
        frame.putShort(12, (short)0x0800, ByteOrder.BIG_ENDIAN);
        frame.putByte(14, (byte)0x45);
        frame.putShort(16, (short)ipLength, ByteOrder.BIG_ENDIAN);
        frame.putShort(20, (short)0x4000, ByteOrder.BIG_ENDIAN);
        frame.putByte(22, (byte)64);
        frame.putByte(23, (byte)6);
        frame.putInt(26, 0x0a000001, ByteOrder.BIG_ENDIAN);
        frame.putInt(30, 0x0a000002, ByteOrder.BIG_ENDIAN);
        frame.putByte(34 + 12, (byte)0x50);
        frame.putByte(34 + 13, (byte)0x18);
        for (int i = 0; i < payload; i++)
        {
            frame.putByte(54 + i, (byte)i);
        }
        return frame;
    }

    private int execute(final ByteArrayOutputStream err, final String... args)
    {
        final PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            return PvnetMain.commandLine().execute(args);
        }
        finally
        {
            System.setErr(saved);
        }
    }

    @Test
    void shouldSplitTsoFramesAndReportCountsOnStderr() throws Exception
    {
        final Path in = dir.resolve("in.pcap");
        try (PcapWriter writer = PcapWriter.create(in))
        {
            final UnsafeBuffer big = tcpFrame(10_000);
            writer.write(big, 0, big.capacity(), 1L);
            final UnsafeBuffer small = tcpFrame(100);
            writer.write(small, 0, small.capacity(), 2L);
        }
        final Path out = dir.resolve("out.pcap");
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, execute(err, "offload", "--in", in.toString(), "--out", out.toString(), "--mtu", "1500",
            "--udp", "segment"));
        final String summary = err.toString(StandardCharsets.UTF_8);
        assertTrue(summary.contains("2 frames in, 8 frames out"), summary);
        assertTrue(summary.contains("split"), summary);
        // one column per field: every count ends in the same column
        final java.util.List<String> rows = summary.lines().filter(l -> l.startsWith("  ")).toList();
        assertEquals(2, rows.size(), summary);
        assertEquals(rows.get(0).replaceAll("\\s*\\(.*$", "").length(), rows.get(1).replaceAll("\\s*\\(.*$", "").length(),
            summary);
        try (PcapReader reader = new PcapReader(out))
        {
            int frames = 0;
            while (reader.next())
            {
                frames++;
                assertTrue(reader.capturedLength() <= 1514);
            }
            assertEquals(8, frames);
        }
    }

    @Test
    void shouldWritePcapngWhenTheOutputIsNamedPcapngOrAskedFor() throws Exception
    {
        final Path in = dir.resolve("in.pcap");
        try (PcapWriter writer = PcapWriter.create(in))
        {
            final UnsafeBuffer big = tcpFrame(10_000);
            // real ports and an open window: port 0 makes tshark guess another protocol and call the frame malformed
            big.putShort(34, (short)40000, ByteOrder.BIG_ENDIAN);
            big.putShort(36, (short)5201, ByteOrder.BIG_ENDIAN);
            big.putShort(34 + 14, (short)65535, ByteOrder.BIG_ENDIAN);
            writer.write(big, 0, big.capacity(), 1_000_000_123L);
        }
        final Path byName = dir.resolve("out.pcapng");
        final Path byFlag = dir.resolve("out.cap");
        final Path classic = dir.resolve("classic.pcap");
        assertEquals(0, execute(new ByteArrayOutputStream(), "offload", "--in", in.toString(), "--out", byName.toString()));
        assertEquals(0, execute(new ByteArrayOutputStream(), "offload", "--in", in.toString(), "--out", byFlag.toString(),
            "--format", "pcapng"));
        assertEquals(0, execute(new ByteArrayOutputStream(), "offload", "--in", in.toString(), "--out", classic.toString()));
        for (final Path out : new Path[] {byName, byFlag})
        {
            // pcapng: section header block type 0x0A0D0D0A, then the byte-order magic
            final java.nio.ByteBuffer head = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(out))
                .order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x0A0D0D0A, head.getInt(0), out + " is pcapng");
            assertEquals(0x1A2B3C4D, head.getInt(8), out + " byte-order magic");
            try (PcapReader reader = new PcapReader(out))
            {
                assertTrue(reader.isPcapng());
                int frames = 0;
                while (reader.next())
                {
                    frames++;
                    assertEquals(PcapWriter.LINKTYPE_ETHERNET, reader.linkType());
                    assertEquals(1_000_000_123L, reader.timestampNanos(), "nanosecond timestamps kept");
                }
                assertEquals(7, frames, "10,000 B of TSO payload in 1,460 B segments");
            }
        }
        try (PcapReader reader = new PcapReader(classic))
        {
            assertTrue(!reader.isPcapng(), "a .pcap name still gets classic pcap");
        }
        assertEquals(2, execute(new ByteArrayOutputStream(), "offload", "--in", in.toString(), "--out",
            dir.resolve("z.pcap").toString(), "--format", "erf"));
        if (io.pvnet.testsupport.Tshark.unavailableReason() == null)
        {
            assertEquals(7, io.pvnet.testsupport.Tshark.fields(byName, "frame.interface_name", "tcp.seq_raw").stream()
                .filter(l -> l.startsWith("offload\t")).count(), "tshark reads every frame, on interface 'offload'");
            assertEquals(java.util.List.of(), io.pvnet.testsupport.Tshark.errors(byName), "tshark: checksums all good");
        }
        else
        {
            System.out.println("tshark checks skipped: " + io.pvnet.testsupport.Tshark.unavailableReason());
        }
    }

    @Test
    void shouldExitNonZeroOnlyForFilesAndBadOptions()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, execute(err, "offload", "--in", dir.resolve("missing.pcap").toString(),
            "--out", dir.resolve("x.pcap").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing.pcap: no such file or directory"), err::toString);
        final ByteArrayOutputStream directory = new ByteArrayOutputStream();
        assertEquals(1, execute(directory, "offload", "--in", dir.toString(), "--out", dir.resolve("y.pcap").toString()));
        assertTrue(directory.toString(StandardCharsets.UTF_8).contains(dir + ": is a directory"), directory::toString);
        final ByteArrayOutputStream noDirectory = new ByteArrayOutputStream();
        final Path in = dir.resolve("in.pcap");
        try (PcapWriter writer = PcapWriter.create(in))
        {
            final UnsafeBuffer small = tcpFrame(100);
            writer.write(small, 0, small.capacity(), 1L);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        final Path nowhere = dir.resolve("missing").resolve("out.pcap");
        assertEquals(1, execute(noDirectory, "offload", "--in", in.toString(), "--out", nowhere.toString()));
        assertEquals("pvnet offload: --out " + nowhere + ": directory " + nowhere.getParent() + " does not exist",
            noDirectory.toString(StandardCharsets.UTF_8).strip(), "names the directory, not a temporary file in it");
        assertEquals(2, execute(new ByteArrayOutputStream(), "offload", "--in", "a", "--out", "b", "--mtu", "20"));
        assertEquals(2, execute(new ByteArrayOutputStream(), "offload", "--in", "a", "--out", "b", "--udp", "spray"));
    }
}
