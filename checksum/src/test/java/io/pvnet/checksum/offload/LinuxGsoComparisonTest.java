package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.pcap.PcapReader;
import io.pvnet.checksum.pcap.PcapWriter;
import io.pvnet.testsupport.TestFrames.Sum;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.pvnet.testsupport.TestFrames.frame;
import static io.pvnet.testsupport.TestFrames.hex;
import static io.pvnet.checksum.offload.OffloadTestSupport.bytes;
import static io.pvnet.checksum.offload.OffloadTestSupport.offHeap;
import static io.pvnet.checksum.offload.OffloadTestSupport.parsed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Byte-for-byte comparison with the Linux kernel's own software GSO: each frame is handed to the kernel through an
 * AF_PACKET socket with a virtio_net_hdr asking for TSO/USO on a veth whose segmentation and checksum offloads are
 * off (in a network namespace this test creates and deletes), so {@code tcp_gso_segment}/{@code __udp_gso_segment}
 * and {@code gso_make_checksum} produce the segments; {@link GsoSegmenter} must produce the same bytes.
 * Skipped with the reason when not root or when ip, ethtool or python3 is missing.
 */
class LinuxGsoComparisonTest
{
    private static final int GSO_TCPV4 = 1;
    private static final int GSO_UDP_L4 = 5;
    private static final int GSO_TCPV6 = 4;
    private static final int GSO_ECN = 0x80;

    @TempDir
    Path dir;

    private record Case(byte[] frame, int gsoType, int gsoSize)
    {
    }

    private static List<Case> cases()
    {
        final List<Case> cases = new ArrayList<>();
        cases.add(new Case(frame().ipId(0xFFF0).sequence(0xFFFFF000).tcpFlags(0x80 | 0x10 | 0x08 | 0x01)
            .tcpOptions(hex("0101080a0000000100000002")).payload(65535 - 52, 1).l4Sum(Sum.PSEUDO_ONLY).build(),
            GSO_TCPV4 | GSO_ECN, 1448));
        cases.add(new Case(frame().vlan(0x8100, 7).ipv4Options(hex("94040000")).tcpFlags(0x10 | 0x08)
            .payload(10_000, 2).l4Sum(Sum.PSEUDO_ONLY).build(), GSO_TCPV4, 1000));
        cases.add(new Case(frame().ipv6().tcpFlags(0x10 | 0x01).payload(30_001, 3).l4Sum(Sum.PSEUDO_ONLY).build(),
            GSO_TCPV6, 1428));
        cases.add(new Case(frame().vlan(0x8100, 9).ipv6().ipv6Extension(60, hex("00010400000000"))
            .payload(9_999, 4).l4Sum(Sum.PSEUDO_ONLY).build(), GSO_TCPV6, 1420));
        cases.add(new Case(frame().protocol(TestFrames.UDP).ipId(7).payload(20_000, 5).l4Sum(Sum.PSEUDO_ONLY).build(),
            GSO_UDP_L4, 1472));
        cases.add(new Case(frame().vlan(0x8100, 3).ipv6().protocol(TestFrames.UDP).payload(7_000, 6)
            .l4Sum(Sum.PSEUDO_ONLY).build(), GSO_UDP_L4, 1452));
        return cases;
    }

    @Test
    void shouldProduceTheSameBytesAsLinuxSoftwareGso() throws Exception
    {
        requireTools();
        final List<Case> cases = cases();
        final GsoSegmenter segmenter = new GsoSegmenter(Checksums.best());
        final OutputFrames frames = new OutputFrames(128);
        final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));
        final Path in = dir.resolve("in.pcap");
        final List<String> command = new ArrayList<>(List.of("python3", script().toString(), in.toString(),
            dir.resolve("linux.pcap").toString()));
        final List<List<byte[]>> expected = new ArrayList<>();
        try (PcapWriter writer = PcapWriter.create(in))
        {
            for (final Case c : cases)
            {
                final UnsafeBuffer src = offHeap(c.frame(), 0);
                final PacketHeaders headers = parsed(src, 0, c.frame().length);
                assertEquals(OffloadStatus.SPLIT,
                    segmenter.segment(src, headers, c.gsoSize(), out, 0, out.capacity(), frames));
                final List<byte[]> ours = new ArrayList<>();
                for (int i = 0; i < frames.count(); i++)
                {
                    ours.add(bytes(out, frames.offset(i), frames.length(i)));
                }
                expected.add(ours);
                writer.write(src, 0, c.frame().length, 0);
                final int headerLength = headers.l4Offset() + headers.l4HeaderLength();
                final int checksumOffset = headers.l4Protocol() == TestFrames.TCP ? 16 : 6;
                command.add(c.gsoType() + ":" + c.gsoSize() + ":" + headerLength + ":" + headers.l4Offset() + ":" +
                    checksumOffset + ":" + ours.size());
            }
        }

        final String namespace = "pvnet-gso-" + ProcessHandle.current().pid();
        run(true, "ip", "netns", "add", namespace);
        try
        {
            run(true, "ip", "-n", namespace, "link", "add", "va", "type", "veth", "peer", "name", "vb");
            run(false, "ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            run(true, "ip", "netns", "exec", namespace, "ethtool", "-K", "va", "tso", "off", "tx", "off");
            run(false, "ip", "netns", "exec", namespace, "ethtool", "-K", "va", "tx-udp-segmentation", "off");
            run(false, "ip", "netns", "exec", namespace, "ethtool", "-K", "vb", "rxvlan", "off", "gro", "off");
            run(true, "ip", "-n", namespace, "link", "set", "va", "up");
            run(true, "ip", "-n", namespace, "link", "set", "vb", "up");
            final List<String> inNamespace = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            inNamespace.addAll(command);
            run(true, inNamespace.toArray(String[]::new));
        }
        finally
        {
            run(false, "ip", "netns", "del", namespace);
        }

        try (PcapReader reader = new PcapReader(dir.resolve("linux.pcap")))
        {
            for (int c = 0; c < cases.size(); c++)
            {
                final List<byte[]> ours = expected.get(c);
                for (int i = 0; i < ours.size(); i++)
                {
                    final String at = "case " + c + " segment " + i + " of " + ours.size();
                    assertEquals(true, reader.next(), at + ": Linux produced fewer segments");
                    final byte[] linux = new byte[reader.capturedLength()];
                    reader.buffer().getBytes(reader.frameOffset(), linux);
                    assertArrayEquals(linux, ours.get(i), at);
                }
            }
            assertEquals(false, reader.next(), "Linux produced more segments");
        }
    }

    private Path script() throws Exception
    {
        final Path script = dir.resolve("linux_gso.py");
        try (InputStream in = LinuxGsoComparisonTest.class.getResourceAsStream("linux_gso.py"))
        {
            Files.copy(in, script);
        }
        return script;
    }

    private static void requireTools() throws Exception
    {
        for (final String tool : new String[] {"ip", "ethtool", "python3"})
        {
            boolean found = false;
            for (final String path : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":"))
            {
                found |= new File(path, tool).canExecute();
            }
            Assumptions.assumeTrue(found, tool + " is not installed: cannot ask Linux for its GSO output");
        }
        final Process id = new ProcessBuilder("id", "-u").start();
        final String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        id.waitFor();
        Assumptions.assumeTrue("0".equals(uid), "not root (uid " + uid + "): cannot create a network namespace");
    }

    private static void run(final boolean mustSucceed, final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", command));
        }
        if (mustSucceed && process.exitValue() != 0)
        {
            if (String.join(" ", command).startsWith("ip netns add"))
            {
                Assumptions.abort("cannot create a network namespace here: " + output.strip());
            }
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
        }
    }
}
