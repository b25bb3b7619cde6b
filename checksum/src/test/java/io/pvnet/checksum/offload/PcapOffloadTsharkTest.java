package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.parse.ParseStatus;
import io.pvnet.checksum.pcap.PcapReader;
import io.pvnet.checksum.pcap.PcapWriter;
import io.pvnet.testsupport.TestFrames.Sum;
import io.pvnet.testsupport.TestFrames;
import io.pvnet.testsupport.Tshark;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static io.pvnet.testsupport.TestFrames.frame;
import static io.pvnet.testsupport.TestFrames.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The offload tool's pipeline end to end: guest-style frames with blank checksums (TSO, oversize UDP, ICMP, IPv6,
 * VLAN) go through {@link PcapOffload}, and tshark, with checksum validation switched on, must find every IP, TCP,
 * UDP, ICMP and ICMPv6 checksum good (UDP after reassembling the fragments).
 */
class PcapOffloadTsharkTest
{
    @TempDir
    Path dir;

    private static byte[][] guestFrames()
    {
        return new byte[][] {
            frame().ipId(100).tcpFlags(0x80 | 0x10 | 0x08 | 0x01).tcpOptions(hex("0101080a0000000100000002"))
                .payload(65535 - 52, 1).ipSum(Sum.ZERO).l4Sum(Sum.PSEUDO_ONLY).build(),
            frame().vlan(0x8100, 12).ipv6().payload(20_000, 2).l4Sum(Sum.PSEUDO_ONLY).build(),
            frame().protocol(TestFrames.UDP).dontFragment(false).ipId(200).payload(4000, 3)
                .ipSum(Sum.ZERO).l4Sum(Sum.PSEUDO_ONLY).build(),
            frame().ipv6().protocol(TestFrames.UDP).payload(5000, 4).l4Sum(Sum.PSEUDO_ONLY).build(),
            frame().protocol(TestFrames.ICMP).payload(100, 5).ipSum(Sum.ZERO).l4Sum(Sum.ZERO).build(),
            frame().ipv6().protocol(TestFrames.ICMPV6).icmpType(128).payload(100, 6).l4Sum(Sum.PSEUDO_ONLY).build(),
            frame().vlan(0x88A8, 1).vlan(0x8100, 2).tcpOptions(hex("020405b4")).payload(500, 7).ipSum(Sum.ZERO)
                .l4Sum(Sum.PSEUDO_ONLY).build(),
            frame().ipv4Options(hex("94040000")).protocol(TestFrames.UDP).payload(300, 8).ipSum(Sum.ZERO)
                .l4Sum(Sum.PSEUDO_ONLY).build(),
            Arrays.copyOf(hex("ffffffffffff0200000000010806 0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002"),
                60),
            Arrays.copyOf(frame().payload(100, 9).build(), 40), // truncated: passed through unchanged
        };
    }

    private Path writeInput() throws Exception
    {
        final Path in = dir.resolve("guest.pcap");
        try (PcapWriter writer = PcapWriter.create(in))
        {
            final byte[][] frames = guestFrames();
            for (int i = 0; i < frames.length; i++)
            {
                writer.write(new UnsafeBuffer(frames[i]), 0, frames[i].length, 1_700_000_000_000_000_000L + i * 1000L);
            }
        }
        return in;
    }

    @Test
    void shouldCountOutcomesByReason() throws Exception
    {
        final Path in = writeInput();
        final PcapOffload offload =
            new PcapOffload(new FrameOffloader(Checksums.best(), 1500, 0, UdpOversizeMode.FRAGMENT));
        offload.run(in, dir.resolve("out.pcap"));
        assertEquals(10, offload.framesIn());
        assertEquals(4, offload.count(OffloadStatus.SPLIT));
        assertEquals(4, offload.count(OffloadStatus.COMPLETED));
        assertEquals(1, offload.count(OffloadStatus.NOT_IP));
        assertEquals(1, offload.count(OffloadStatus.MALFORMED));
        assertEquals(1, offload.count(ParseStatus.TCP_TRUNCATED) + offload.count(ParseStatus.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME));
        // 46 TSO + 14 TSO (IPv6, MSS 1440) + 3 IPv4 fragments + 4 IPv6 fragments + 6 single frames
        assertEquals(46 + 14 + 3 + 4 + 6, offload.framesOut());
        final java.io.ByteArrayOutputStream summary = new java.io.ByteArrayOutputStream();
        offload.printSummary(new java.io.PrintStream(summary, true, java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(summary.toString(java.nio.charset.StandardCharsets.UTF_8)
            .contains("malformed ipv4_total_length_exceeds_frame"), summary::toString);
    }

    @Test
    void shouldNameALinuxCookedCaptureAndSnapCutFramesInsteadOfOneVagueCount() throws Exception
    {
        final Path cooked = dir.resolve("any.pcap");
        final byte[] frame = frame().payload(100, 1).build();
        try (PcapWriter writer = new PcapWriter(java.nio.channels.FileChannel.open(cooked,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE), 113, 262144, true))
        {
            writer.write(new UnsafeBuffer(frame), 0, frame.length, 1_700_000_000_000_000_000L);
        }
        final Path snapped = dir.resolve("snapped.pcap");
        try (PcapWriter writer = new PcapWriter(java.nio.channels.FileChannel.open(snapped,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE), PcapWriter.LINKTYPE_ETHERNET,
            64, true))
        {
            writer.write(new UnsafeBuffer(frame), 0, frame.length, 1_700_000_000_000_000_000L);
        }
        final FrameOffloader offloader = new FrameOffloader(Checksums.best(), 1500, 0, UdpOversizeMode.FRAGMENT);
        final PcapOffload first = new PcapOffload(offloader);
        first.run(cooked, dir.resolve("any-out.pcap"));
        assertEquals(1, first.linkTypeCount(113));
        final PcapOffload second = new PcapOffload(offloader);
        second.run(snapped, dir.resolve("snapped-out.pcap"));
        assertEquals(1, second.snapped());
        final java.io.ByteArrayOutputStream summary = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream stream = new java.io.PrintStream(summary, true, java.nio.charset.StandardCharsets.UTF_8);
        first.printSummary(stream);
        second.printSummary(stream);
        final String text = summary.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("link_type_113") && text.contains("Linux cooked capture (tcpdump -i any)") &&
            text.contains("not Ethernet"), text);
        assertTrue(text.contains("snapped") && text.contains("cut by the capture's snap length"), text);
        assertTrue(!text.contains("not_whole_ethernet_frame"), text);
    }

    @Test
    void tsharkFindsEveryChecksumGoodInFragmentAndSegmentModes() throws Exception
    {
        final String tshark = Tshark.tsharkOrSkip();
        final Path in = writeInput();
        final String before = Tshark.run(tshark, "-r", in.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-T", "fields", "-E", "separator=|", "-e", "ip.checksum.status", "-e", "tcp.checksum.status");
        assertTrue(before.contains("0|0"), "validation is on: tshark flags the blank input sums\n" + before);
        for (final UdpOversizeMode mode : UdpOversizeMode.values())
        {
            final Path out = dir.resolve("out-" + mode + ".pcap");
            new PcapOffload(new FrameOffloader(Checksums.best(), 1500, 0, mode)).run(in, out);
            final String fields = Tshark.run(tshark, "-r", out.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE",
                "-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
                "-e", "frame.number", "-e", "ip.checksum.status", "-e", "tcp.checksum.status",
                "-e", "udp.checksum.status", "-e", "icmp.checksum.status", "-e", "icmpv6.checksum.status",
                "-e", "_ws.malformed", "-e", "_ws.expert.severity");
            int good = 0;
            int udpGood = 0;
            for (final String line : fields.split("\n"))
            {
                final String[] columns = line.split("\\|", -1);
                for (int c = 1; c <= 5; c++)
                {
                    for (final String status : columns[c].split(","))
                    {
                        assertFalse(status.equals("0"), mode + ": bad checksum in frame " + columns[0] + ": " + line);
                        if (status.equals("1"))
                        {
                            good++;
                            udpGood += c == 3 ? 1 : 0;
                        }
                    }
                }
            }
            // every IPv4 header, every TCP segment, the two whole UDP datagrams (or all USO datagrams), ICMP, ICMPv6
            assertTrue(good >= 46 + 46 + 14 + 3 + 2, mode + ": only " + good + " good checksums:\n" + fields);
            assertTrue(udpGood >= (mode == UdpOversizeMode.FRAGMENT ? 3 : 3 + 4 + 1), mode + ": UDP " + udpGood);
            try (PcapReader reader = new PcapReader(out))
            {
                int frames = 0;
                while (reader.next())
                {
                    frames++;
                }
                assertEquals(fields.split("\n").length, frames, "tshark read every frame");
            }
        }
    }
}
