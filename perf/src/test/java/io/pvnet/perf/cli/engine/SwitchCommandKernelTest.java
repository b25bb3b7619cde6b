package io.pvnet.perf.cli.engine;

import io.pvnet.testsupport.Netns;
import io.pvnet.testsupport.Tshark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real commands as separate processes against the real kernel: {@code pvnet switch} with two TAP ports (one
 * without offload, one passing offloads through the virtio-net header), each moved into a namespace of its own,
 * {@code pvnet guest} answering the kernel, {@code pvnet gen} sending TSO frames to kernel sockets; and two switches
 * joined by VXLAN over loopback carrying echoes between guests. Processes are terminated (SIGTERM) and checked for a
 * clean shutdown: exit 0, region file deleted, TAP devices gone.
 */
class SwitchCommandKernelTest
{
    private static final Pattern ACKED = Pattern.compile("answered (\\d+) bytes acknowledged");
    private static final Pattern SENT_BYTES = Pattern.compile("sent \\d+ frames \\((\\d+) frame bytes, (\\d+) payload bytes");
    private static final Pattern ECHOES = Pattern.compile("sent (\\d+) frames.*answered (\\d+) \\(");

    @BeforeAll
    static void requireKernel()
    {
        Netns.assumeAvailable();
    }

    @Test
    void shouldServeTheKernelFromGuestProcessesThroughASwitchProcess(@TempDir final Path dir) throws Exception
    {
        final String tag = Long.toString(ProcessHandle.current().pid());
        final String plainTap = "pvsw" + tag + "a";
        final String offloadTap = "pvsw" + tag + "b";
        final Path region = dir.resolve("switch.region");
        // the capture of the TAP without offload: every frame in it is complete (the switch finished the offloaded
        // ones before that port); a capture of an offloading port shows partial sums, as the port saw them
        final Path capture = dir.resolve("tap.pcapng");
        try (Netns plain = Netns.create("swplain"); Netns offload = Netns.create("swoffload");
            CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2",
                "--tap", plainTap + ",offload=off", "--tap", offloadTap + ",offload=on", "--pcap", plainTap + "=" + capture))
        {
            assertTrue(sw.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), sw.output());
            setUp(plain, plainTap, "192.0.2.1", "fd00::1");
            setUp(offload, offloadTap, "192.0.2.4", "fd00::4");
            try (CommandProcess guest = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
                "--ip", "192.0.2.2/24", "--ip6", "fd00::2/64"))
            {
                assertTrue(guest.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), guest.output());
                // the kernel pings the guest: v4 and v6, small and fragmented (reassembled by the guest, whose
                // reply is fragmented again)
                assertEquals(0, plain.client("ping", "192.0.2.2", "3").exitCode(), guest.output());
                assertEquals(0, plain.client("ping", "fd00::2", "3").exitCode(), guest.output());
                assertEquals(0, plain.client("ping", "192.0.2.2", "2", "4000").exitCode(), guest.output());
                assertEquals(0, plain.client("ping", "fd00::2", "2", "4000").exitCode(), guest.output());
                // UDP echo and TCP discard, from both namespaces (offloaded frames reach the guest through the
                // offloading TAP)
                assertTrue(plain.client("udp", "192.0.2.2", "7", "echo-v4").output().contains("echo-v4"));
                assertTrue(plain.client("udp", "fd00::2", "7", "echo-v6").output().contains("echo-v6"));
                assertTrue(offload.client("udp", "192.0.2.2", "7", "echo-offload").output().contains("echo-offload"));
                assertEquals(0, plain.client("tcp", "192.0.2.2", "9", "1000000").exitCode());
                assertEquals(0, offload.client("tcp", "fd00::2", "9", "1000000").exitCode());

                // TSO frames from a generating guest to kernel sockets: split and completed by the switch for the
                // plain TAP, handed to the kernel through the virtio-net header for the other
                sendTsoTo(plain, region, "192.0.2.1");
                sendTsoTo(offload, region, "192.0.2.4");
                assertSwitchCountersLiveFromThisProcess(region, plainTap);
                assertEquals(CommandProcess.SIGTERM_EXIT, guest.terminate(10_000), guest.output());
                assertTrue(guest.output().contains("stopped"), guest.output());
            }
            assertEquals(CommandProcess.SIGTERM_EXIT, sw.terminate(10_000), sw.output());
            assertTrue(sw.output().contains("stopped"), sw.output());
        }
        assertFalse(Files.exists(region), "region file removed at shutdown");
        assertFalse(Netns.run(10, "ip", "link", "show", plainTap).exitCode() == 0, "TAP removed");
        if (Tshark.unavailableReason() == null)
        {
            final List<String> protocols = Tshark.fields(capture, "frame.protocols");
            assertTrue(protocols.stream().anyMatch(p -> p.endsWith(":icmp:data")), protocols.toString());
            assertTrue(protocols.stream().anyMatch(p -> p.contains(":icmpv6")), protocols.toString());
            assertTrue(protocols.stream().anyMatch(p -> p.contains(":tcp")), protocols.toString());
            assertTrue(protocols.stream().anyMatch(p -> p.contains(":udp")), protocols.toString());
            assertTrue(protocols.stream().anyMatch(p -> p.contains("ipv6.fraghdr")), "fragmented echo captured");
            assertTrue(protocols.size() > 2000, "the split TSO frames are in the capture: " + protocols.size());
            assertEquals(List.of(), Tshark.errors(capture));
            // pcapng: the port is the file's interface, and every frame says which way it went
            final List<String> directions = Tshark.fields(capture, "frame.interface_name", "frame.packet_flags_direction");
            assertTrue(directions.stream().allMatch(l -> l.startsWith(plainTap + "\t")), directions.get(0));
            assertTrue(directions.stream().anyMatch(l -> Integer.decode(l.split("\t")[1]) == 1), "inbound: kernel to switch");
            assertTrue(directions.stream().anyMatch(l -> Integer.decode(l.split("\t")[1]) == 2), "outbound: switch to kernel");
        }
    }

    /**
     * This JVM is not the switch's: {@code stat} reads the bridge's and the ports' counters from the region file, by
     * dom0's names, and every port's frames reconcile: offered = sent + dropped per reason.
     */
    private static void assertSwitchCountersLiveFromThisProcess(final Path region, final String tap) throws Exception
    {
        Thread.sleep(300); // the switch publishes its heap counters every 100 ms
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream stream = new java.io.PrintStream(bytes, true);
        assertEquals(0, StatCommand.run(stream, stream, region.toString(), "--count", "1"));
        final java.util.Map<String, Long> values = new java.util.HashMap<>();
        for (final String line : bytes.toString().split("\n"))
        {
            final java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s*\\d+: +([\\d,]+)  .{14}  (.+)$")
                .matcher(line);
            if (m.matches())
            {
                values.put(m.group(2).replaceAll("  \\(.*$", "").trim(), Long.parseLong(m.group(1).replace(",", "")));
            }
        }
        final String text = bytes.toString();
        assertTrue(values.getOrDefault("bridge " + tap + " rx-frames", 0L) > 0, text);
        assertTrue(values.getOrDefault("bridge vif1.0 tx-frames", 0L) > 0, text);
        assertTrue(values.getOrDefault("vif1.0 rx-packets", 0L) > 0, "dom0's view: the guest's answers: " + text);
        assertTrue(values.getOrDefault("port " + tap + " rx-frames", 0L) > 0, text);
        for (final String port : new String[] {"bridge vif1.0", "bridge vif2.0", "bridge " + tap, "port " + tap})
        {
            long dropped = 0;
            for (final var entry : values.entrySet())
            {
                if (entry.getKey().startsWith(port + " tx-drop-"))
                {
                    dropped += entry.getValue();
                }
            }
            assertEquals(values.get(port + " tx-offered"), values.get(port + " tx-frames") + dropped, port + ": " + text);
        }
    }

    private static void sendTsoTo(final Netns netns, final Path region, final String server) throws Exception
    {
        netns.exec("nstat", "-n");
        final Process listener = netns.start("python3", Netns.kernelClient(), "server", server, "5001");
        try (CommandProcess gen = new CommandProcess("gen", "--region", region.toString(), "--vif", "2",
            "--ip", "192.0.2.3/24", "--dst", server, "--proto", "tcp", "--port", "5001", "--tso", "--size", "30000",
            "--count", "100"))
        {
            listener.getInputStream().read(); // "listening"
            assertEquals(0, gen.awaitExit(30_000), gen.output());
            final String received = new String(listener.getInputStream().readAllBytes());
            final Matcher acked = ACKED.matcher(gen.output());
            final Matcher sent = SENT_BYTES.matcher(gen.output());
            assertTrue(acked.find() && sent.find(), gen.output());
            assertEquals(3_000_000L, Long.parseLong(acked.group(1)), gen.output());
            assertTrue(received.contains("received 3000000 "), received + " / " + gen.output());
            assertEquals("0", netns.nstat("TcpInCsumErrors"));
            assertEquals("0", netns.nstat("UdpInCsumErrors"));
        }
        finally
        {
            listener.destroyForcibly();
        }
    }

    @Test
    void shouldCarryEchoesBetweenGuestsOfTwoSwitchesJoinedByVxlan(@TempDir final Path dir) throws Exception
    {
        final Path regionA = dir.resolve("a.region");
        final Path regionB = dir.resolve("b.region");
        final int port = freeUdpPortOnBoth("127.0.0.1", "127.0.0.2");
        try (CommandProcess switchA = new CommandProcess("switch", "--region", regionA.toString(), "--vifs", "1",
            "--vxlan", "local=127.0.0.1,remote=127.0.0.2,vni=42,port=" + port);
            CommandProcess switchB = new CommandProcess("switch", "--region", regionB.toString(), "--vifs", "1",
                "--vxlan", "local=127.0.0.2,remote=127.0.0.1,vni=42,port=" + port);
            CommandProcess guest = new CommandProcess("guest", "--region", regionB.toString(), "--vif", "1",
                "--ip", "10.42.0.2/24"))
        {
            assertTrue(switchA.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), switchA.output());
            assertTrue(switchB.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), switchB.output());
            assertTrue(guest.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), guest.output());
            final long[] warmupEchoes = new long[2];
            for (int p = 0; p < 2; p++)
            {
                final String proto = p == 0 ? "icmp" : "udp";
                // first contact (ARP across the tunnel, both bridges learning, cold JITs in four JVMs) can take longer
                // than gen's 200 ms wait for answers on a loaded machine: echo until one comes back, then count
                warmupEchoes[p] = awaitFirstEcho(regionA, proto);
                // one guest pings (ICMP echo, then UDP echo) the other across the tunnel; both are vif 1 of their
                // switch, so one takes another MAC than the default (00:16:3e:00:01:00 on both)
                try (CommandProcess gen = vxlanGen(regionA, proto, 200))
                {
                    assertEquals(0, gen.awaitExit(30_000), gen.output() + switchA.output());
                    final Matcher echoes = ECHOES.matcher(gen.output());
                    assertTrue(echoes.find(), gen.output());
                    assertEquals(200, Integer.parseInt(echoes.group(1)), gen.output());
                    // gen waits 200 ms after its last frame: on a loaded machine an answer may still be on its way
                    // then (the guest's count below shows every request arrived); none comes back corrupted
                    assertTrue(Integer.parseInt(echoes.group(2)) >= 190, gen.output());
                    assertTrue(gen.output().contains(", 0 bad)"), gen.output());
                }
            }
            assertEquals(CommandProcess.SIGTERM_EXIT, guest.terminate(10_000), guest.output());
            // every counted request crossed the tunnel to the guest, which answered it (as did the warm-up's that came
            // back to gen)
            final Matcher answeredByGuest = Pattern.compile("icmp-echoes (\\d+) udp-echoes (\\d+)").matcher(guest.output());
            assertTrue(answeredByGuest.find(), guest.output());
            assertTrue(Long.parseLong(answeredByGuest.group(1)) >= 200 + warmupEchoes[0], guest.output());
            assertTrue(Long.parseLong(answeredByGuest.group(2)) >= 200 + warmupEchoes[1], guest.output());
            assertEquals(CommandProcess.SIGTERM_EXIT, switchA.terminate(10_000), switchA.output());
            assertEquals(CommandProcess.SIGTERM_EXIT, switchB.terminate(10_000), switchB.output());
            assertTrue(switchB.output().contains("stopped"), switchB.output());
        }
    }

    private static CommandProcess vxlanGen(final Path region, final String proto, final int count) throws Exception
    {
        return new CommandProcess("gen", "--region", region.toString(), "--vif", "1", "--ip", "10.42.0.1/24",
            "--mac", "02:00:00:00:0a:01", "--dst", "10.42.0.2", "--proto", proto, "--echo", "--size", "1000",
            "--count", Integer.toString(count), "--rate", "2000");
    }

    /** Runs short gens until one gets an echo back (60 s at most); {@return the echoes that came back meanwhile} */
    private static long awaitFirstEcho(final Path region, final String proto) throws Exception
    {
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        long sent = 0;
        long answered = 0;
        String last = "";
        while (System.nanoTime() - deadlineNs < 0)
        {
            try (CommandProcess gen = vxlanGen(region, proto, 5))
            {
                gen.awaitExit(30_000);
                last = gen.output();
                final Matcher echoes = ECHOES.matcher(last);
                if (echoes.find())
                {
                    sent += Integer.parseInt(echoes.group(1));
                    answered += Integer.parseInt(echoes.group(2));
                    if (answered > 0)
                    {
                        return answered;
                    }
                }
            }
        }
        throw new AssertionError("no " + proto + " echo across the tunnel in 60 s (" + sent + " sent): " + last);
    }

    /** {@return a UDP port free on both addresses now (the kernel's choice of an ephemeral one on the first)} */
    private static int freeUdpPortOnBoth(final String first, final String second) throws Exception
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            try (java.net.DatagramSocket a = new java.net.DatagramSocket(
                new java.net.InetSocketAddress(java.net.InetAddress.getByName(first), 0)))
            {
                try (java.net.DatagramSocket b = new java.net.DatagramSocket(
                    new java.net.InetSocketAddress(java.net.InetAddress.getByName(second), a.getLocalPort())))
                {
                    return b.getLocalPort();
                }
                catch (final java.net.BindException taken)
                {
                    // in use on the second address: another try
                }
            }
        }
        throw new AssertionError("no UDP port free on both " + first + " and " + second);
    }

    private static void setUp(final Netns netns, final String tap, final String ipv4, final String ipv6)
    {
        netns.adopt(tap);
        netns.exec("ip", "addr", "add", ipv4 + "/24", "dev", tap).check();
        netns.exec("ip", "addr", "add", ipv6 + "/64", "dev", tap, "nodad").check();
        netns.exec("ip", "link", "set", tap, "up").check();
    }
}
