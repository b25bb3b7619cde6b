package io.pvnet.engine.port.pcap;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.testsupport.TestFrames;
import io.pvnet.testsupport.Tshark;
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
        port.onFrame(frame, 0, length, FrameMetadata.of(io.pvnet.engine.frame.FrameFlags.CSUM_PARTIAL, 0, 0));
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
        assertEquals(0, port.onFrame(new UnsafeBuffer(new byte[64]), 0, 64, FrameMetadata.of(0, 0, 0)));
        assertEquals(1, port.counters().txDrops(io.pvnet.engine.port.PortDropReason.CAPTURE_FAILED));
    }

    @Test
    void shouldNeverReplaceAFileThatIsNotACaptureNorWriteThroughALink() throws Exception
    {
        final Path notes = dir.resolve("notes.pcapng");
        Files.writeString(notes, "not a capture: a mistyped path must not cost it\n");
        final Path link = dir.resolve("link.pcapng");
        final Path old = dir.resolve("old.pcapng");
        final PcapPort port = new PcapPort("careful");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        port.start(old);
        port.doWork();
        send(port, frame, 1000);
        port.stop();
        port.doWork();
        Files.createSymbolicLink(link, old);
        final long oldSize = Files.size(old);

        for (final Path refused : new Path[] {notes, link})
        {
            final long seq = port.start(refused);
            port.doWork();
            assertTrue(port.applied(seq));
            send(port, frame, 2000);
        }
        assertEquals(2, port.counters().txDrops(io.pvnet.engine.port.PortDropReason.CAPTURE_FAILED));
        assertEquals("not a capture: a mistyped path must not cost it\n", Files.readString(notes));
        assertEquals(oldSize, Files.size(old), "nothing written through the link");
        assertTrue(CaptureSpec.refusalToReplace(notes).contains("is not a capture (pcap or pcapng)"));
        assertTrue(CaptureSpec.refusalToReplace(link).contains("symbolic link"));
        // the check the capture repeats on the channel it writes through (a file swapped in after the path check)
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(notes,
            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE))
        {
            assertTrue(CaptureSpec.refusalToReplace(notes, channel).contains("is not a capture (pcap or pcapng)"));
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(old,
            java.nio.file.StandardOpenOption.READ))
        {
            assertEquals(null, CaptureSpec.refusalToReplace(old, channel), "a capture may be replaced");
        }
        assertEquals("not a capture: a mistyped path must not cost it\n", Files.readString(notes));

        // a capture is replaced, as tcpdump -w does
        port.start(old);
        port.doWork();
        send(port, frame, 3000);
        port.onClose();
        assertEquals(2, port.counters().txDrops(io.pvnet.engine.port.PortDropReason.CAPTURE_FAILED));
        assertTrue(Files.size(old) > 0);
    }

    @Test
    void shouldWriteOneInterfacePerPortAndEachFramesDirectionForTshark()
    {
        assumeTrue(Tshark.unavailableReason() == null, "tshark missing: " + Tshark.unavailableReason());
        final PcapPort capture = new PcapPort("switch");
        final int vif = capture.addInterface("vif1.0");
        final int tap = capture.addInterface("tap-pv0");
        final Path file = dir.resolve("both.pcapng");
        capture.start(file);
        capture.doWork();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
        final io.pvnet.engine.frame.FrameSink sink = (b, o, l, m) -> delivered.incrementAndGet() * 0;
        // into the switch from the vif, out of it to the TAP, then the answer back the other way
        new CaptureTee(capture, vif, io.pvnet.checksum.pcap.PcapngWriter.DIRECTION_INBOUND, sink)
            .onFrame(frame, 0, TestFrames.udp4(frame, 0, 1111, 7, 100, false), FrameMetadata.of(0, 0, 0));
        capture.capture(tap, io.pvnet.checksum.pcap.PcapngWriter.DIRECTION_OUTBOUND, frame, 0,
            TestFrames.udp4(frame, 0, 2222, 7, 100, false));
        capture.capture(tap, io.pvnet.checksum.pcap.PcapngWriter.DIRECTION_INBOUND, frame, 0,
            TestFrames.udp4(frame, 0, 3333, 7, 100, false));
        capture.capture(vif, io.pvnet.checksum.pcap.PcapngWriter.DIRECTION_OUTBOUND, frame, 0,
            TestFrames.udp4(frame, 0, 4444, 7, 100, false));
        capture.onClose();
        assertEquals(1, delivered.get(), "the tee still delivers");

        // tshark prints the direction bits as 0x00000001 (inbound) or 0x00000002 (outbound)
        assertEquals(List.of("vif1.0 1 1111", "tap-pv0 2 2222", "tap-pv0 1 3333", "vif1.0 2 4444"),
            Tshark.fields(file, "frame.interface_name", "frame.packet_flags_direction", "udp.srcport").stream()
                .map(l -> l.split("\t")).map(f -> f[0] + " " + Integer.decode(f[1]) + " " + f[2]).toList());
        assertEquals(List.of(), Tshark.errors(file));
    }

    @Test
    void shouldCutFramesToTheSnapLengthButKeepTheirLength()
    {
        assumeTrue(Tshark.unavailableReason() == null, "tshark missing: " + Tshark.unavailableReason());
        final PcapPort port = new PcapPort("snap");
        final Path file = dir.resolve("snap.pcapng");
        port.start(CaptureSpec.parse(file + ",snaplen=60"));
        port.doWork();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        send(port, frame, 5555);
        port.onClose();
        assertEquals(List.of("60\t142"), Tshark.fields(file, "frame.cap_len", "frame.len"));
    }

    @Test
    void shouldRotateAtTheSizeAndKeepOnlyTheNewestFiles() throws Exception
    {
        final PcapPort port = new PcapPort("rotating");
        final Path file = dir.resolve("cap.pcapng");
        port.start(CaptureSpec.parse(file + ",rotate=1,files=2"));
        port.doWork();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final int frames = 2_100; // 3.12 MB of 1,488-byte blocks: four files of 1 MB (1,000,000 B), three of 1 MiB
        for (int i = 0; i < frames; i++)
        {
            final int length = TestFrames.udp4(frame, 0, 10_000 + (i % 50_000), 7, 1400, false);
            assertEquals(0, port.capture(0, io.pvnet.checksum.pcap.PcapngWriter.DIRECTION_INBOUND, frame, 0, length));
        }
        port.onClose();
        assertEquals(4, port.filesStarted());
        assertEquals(frames, port.capturedRecords());
        assertTrue(!Files.exists(file) && !Files.exists(dir.resolve("cap.1.pcapng")), "the two oldest were deleted");
        final Path third = dir.resolve("cap.2.pcapng");
        final Path fourth = dir.resolve("cap.3.pcapng");
        final long epb = 1442 + 2 + 44; // frame padded to 4 bytes plus block overhead
        final long megabyte = 1_000_000; // decimal, as tcpdump -C: a binary MiB would make only three files
        assertTrue(Files.size(third) >= megabyte && Files.size(third) < megabyte + epb, "full file: " + Files.size(third));
        assertTrue(Files.size(fourth) < megabyte, "the last file is partial: " + Files.size(fourth));
        if (Tshark.unavailableReason() == null)
        {
            final List<String> thirdFrames = Tshark.fields(third, "frame.interface_name", "udp.srcport");
            final List<String> fourthFrames = Tshark.fields(fourth, "frame.interface_name", "udp.srcport");
            // every file starts with its own section and interface block, and frames continue without a gap
            assertTrue(thirdFrames.stream().allMatch(l -> l.startsWith("rotating\t")), thirdFrames.get(0));
            final int lastOfThird = Integer.parseInt(thirdFrames.getLast().split("\t")[1]);
            assertEquals(lastOfThird + 1, Integer.parseInt(fourthFrames.getFirst().split("\t")[1]));
            assertEquals(10_000 + frames - 1, Integer.parseInt(fourthFrames.getLast().split("\t")[1]));
            assertEquals(List.of(), Tshark.errors(fourth));
        }
    }

    @Test
    void shouldRejectBadCaptureSpecsWithTheirReason()
    {
        assertEquals("snaplen=0 must be a whole number from 1 to 262144", org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> CaptureSpec.parse("a.pcapng,snaplen=0")).getMessage());
        assertEquals("files=2 needs rotate=MB", org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> CaptureSpec.parse("a.pcapng,files=2")).getMessage());
        assertEquals("'size=3' is not snaplen=N, rotate=MB or files=N", org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> CaptureSpec.parse("a.pcapng,size=3")).getMessage());
        assertEquals(1_000_000L, CaptureSpec.parse("a.pcapng,rotate=1").rotateBytes(), "tcpdump -C: decimal MB");
        assertEquals(1_000_000_000_000L, CaptureSpec.parse("a.pcapng,rotate=1000000").rotateBytes());
        assertEquals("rotate=1000001 must be a whole number from 1 to 1000000", org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> CaptureSpec.parse("a.pcapng,rotate=1000001")).getMessage());
        assertEquals("rotate=0 must be a whole number from 1 to 1000000", org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> CaptureSpec.parse("a.pcapng,rotate=0")).getMessage());
        assertEquals(Path.of("/x/cap.7.pcapng"), CaptureSpec.parse("/x/cap.pcapng").fileFor(7));
        assertEquals(Path.of("/x/cap.7"), CaptureSpec.parse("/x/cap").fileFor(7));
    }

    @Test
    void shouldWriteALoneFrameOnTheNextDutyCycleAndAStreamAtMostOneFlushIntervalLate() throws Exception
    {
        final long[] nowNs = {5_000_000_000L};
        final PcapPort port = new PcapPort("flush", () -> 1_700_000_000_000_000_000L, () -> nowNs[0]);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final Path file = dir.resolve("flush.pcapng");
        port.start(file);
        port.doWork();
        final long header = Files.size(file);
        assertEquals(Long.MAX_VALUE, port.nanosToNextDue(nowNs[0]), "nothing staged: no timed work");
        assertEquals(0, port.doWork(), "an idle capture does no work");

        // after a quiet spell, a frame is written on the next duty cycle (tcpdump -U)
        nowNs[0] += 1_000_000_000L;
        send(port, frame, 1000);
        assertTrue(port.nanosToNextDue(nowNs[0]) <= 0, "due now");
        assertEquals(1, port.doWork());
        final long oneFrame = Files.size(file);
        assertTrue(oneFrame > header, "the frame is in the file");

        // the next frame waits for the flush interval, and says when it is due to a thread about to sleep
        nowNs[0] += 30_000_000L;
        send(port, frame, 1001);
        assertEquals(PcapPort.FLUSH_INTERVAL_NS - 30_000_000L, port.nanosToNextDue(nowNs[0]));
        assertEquals(0, port.doWork());
        assertEquals(oneFrame, Files.size(file), "staged, not yet written");
        nowNs[0] += PcapPort.FLUSH_INTERVAL_NS - 30_000_000L;
        assertEquals(0, port.nanosToNextDue(nowNs[0]));
        assertEquals(1, port.doWork());
        assertTrue(Files.size(file) > oneFrame, "written once due");
        assertEquals(Long.MAX_VALUE, port.nanosToNextDue(nowNs[0]));
        port.onClose();
    }

    @Test
    void shouldCutTheSleepOfAThreadWithStagedRecordsToTheFlushInterval() throws Exception
    {
        final PcapPort port = new PcapPort("sleep");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        port.start(dir.resolve("sleep.pcapng"));
        port.doWork();
        send(port, frame, 1000);
        port.doWork(); // the lone frame is written at once
        send(port, frame, 1001); // this one is staged until the interval since that flush has passed
        final long[] slept = {-1};
        final io.pvnet.ring.event.WaitPoint recorder = new io.pvnet.ring.event.WaitPoint()
        {
            @Override
            public void prepareToSleep()
            {
            }

            @Override
            public void cancelSleep()
            {
                slept[0] = 0;
            }

            @Override
            public void sleep(final long timeoutNs)
            {
                slept[0] = timeoutNs;
            }
        };
        // a switch with only capture ports sleeps toward its heartbeat: the staged record bounds the sleep
        new io.pvnet.ring.event.DeadlineWaitPoint(recorder, port).sleep(1_000_000_000L);
        assertTrue(slept[0] >= 0 && slept[0] <= PcapPort.FLUSH_INTERVAL_NS, "slept " + slept[0] + " ns");
        port.onClose();
    }

    private static void send(final PcapPort port, final UnsafeBuffer frame, final int srcPort)
    {
        final int length = TestFrames.udp4(frame, 0, srcPort, 7, 100, false);
        assertEquals(0, port.onFrame(frame, 0, length, FrameMetadata.of(0, 0, 0)));
    }
}
