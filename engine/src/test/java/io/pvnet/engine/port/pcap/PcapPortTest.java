package io.pvnet.engine.port.pcap;

import io.pvnet.engine.port.Tshark;
import io.pvnet.engine.port.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PcapPortTest
{
    @TempDir
    Path dir;

    @Test
    void shouldCaptureOnlyWhileSwitchedOnAndBeReadableByTshark()
    {
        assumeTrue(Tshark.unavailableReason() == null, "tshark missing");
        final PcapPort port = new PcapPort("test", () -> 1_700_000_000_123_456_789L);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final Path first = dir.resolve("first.pcap");
        final Path second = dir.resolve("second.pcap");

        send(port, frame, 1000);
        final long startFirst = port.start(first);
        assertEquals(1, port.doWork());
        assertTrue(port.applied(startFirst));
        for (int i = 0; i < 3; i++)
        {
            send(port, frame, 2000 + i);
        }
        final long startSecond = port.start(second);
        port.doWork();
        assertTrue(port.applied(startSecond));
        send(port, frame, 3000);
        port.doWork();
        final long stop = port.stop();
        port.doWork();
        assertTrue(port.applied(stop));
        send(port, frame, 4000);
        port.onClose();

        final List<String> ports = Tshark.fields(first, "udp.srcport", "udp.checksum.status", "frame.time_epoch");
        assertEquals(List.of("2000", "2001", "2002"), ports.stream().map(l -> l.split("\t")[0]).toList());
        for (final String line : ports)
        {
            assertEquals("1", line.split("\t")[1], "checksum status 1 = good: " + line);
            assertTrue(line.split("\t")[2].startsWith("1700000000.123456789"), line);
        }
        assertEquals(List.of("3000"), Tshark.fields(second, "udp.srcport"));
        assertEquals(List.of(), Tshark.errors(first));
        assertEquals(4, port.counters().get(io.pvnet.engine.port.PortCounters.TX_FRAMES));
    }

    @Test
    void shouldLetTsharkSeeABadChecksum()
    {
        assumeTrue(Tshark.unavailableReason() == null, "tshark missing");
        final PcapPort port = new PcapPort("bad-sum");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final Path file = dir.resolve("bad.pcap");
        port.start(file);
        port.doWork();
        final int length = TestFrames.udp4(frame, 0, 5000, 7, 64, true);
        port.onFrame(frame, 0, length, io.pvnet.engine.frame.FrameFlags.CSUM_PARTIAL, 0, 0);
        port.onClose();
        assertEquals(1, Tshark.errors(file).size(), "a pseudo-header-only sum is recorded as it was passed");
    }

    @Test
    void shouldCountFailedCaptureWithoutThrowing() throws Exception
    {
        final PcapPort port = new PcapPort("bad");
        final Path notADirectory = dir.resolve("file");
        Files.writeString(notADirectory, "x");
        final long seq = port.start(notADirectory.resolve("capture.pcap"));
        port.doWork();
        assertTrue(port.applied(seq));
        assertEquals(0, port.onFrame(new UnsafeBuffer(new byte[64]), 0, 64, 0, 0, 0));
        assertEquals(1, port.counters().txDrops(io.pvnet.engine.port.PortDropReason.CAPTURE_FAILED));
    }

    private static void send(final PcapPort port, final UnsafeBuffer frame, final int srcPort)
    {
        final int length = TestFrames.udp4(frame, 0, srcPort, 7, 100, false);
        assertEquals(0, port.onFrame(frame, 0, length, 0, 0, 0));
    }
}
