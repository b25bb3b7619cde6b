package io.pvnet.perf.cli.engine;

import io.pvnet.testsupport.Netns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.jr.ob.JSON;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pvnet gen} against the Linux kernel through a TAP port of a {@code pvnet switch} moved into a namespace: ICMP
 * echoes answered by the kernel itself (counted, timed, interval lines), a one-way UDP stream refused in one line (the
 * kernel does not count and report one), UDP echoes ({@code --echo}) of a kernel socket over two flows,
 * a reverse stream from a kernel socket speaking the stream request (the tests' {@code kernel_client.py source}),
 * 60000-byte TSO frames to a kernel TCP socket; and TCP as iperf3 runs it against kernel sockets through an offloading
 * TAP: two connections to a socket that reads (each connection's acknowledged bytes are what the kernel read), two
 * from a socket that writes ({@code --reverse}), one each way at once ({@code --bidir}), all closed cleanly; and a
 * kernel socket that resets one of two connections in the middle of the run: that one ends at once with its line, the
 * other finishes, exit 4.
 */
class GenKernelTest
{
    private static final Pattern SUMMARY = Pattern.compile("sent (\\d+) frames .*answered (\\d+) .*lost (\\d+) \\(");

    @BeforeAll
    static void requireKernel()
    {
        Netns.assumeAvailable();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldMeasureTheKernelAsPeer(@TempDir final Path dir) throws Exception
    {
        try (KernelPeer kernel = KernelPeer.start(dir, "gen", false))
        {
            // ICMP: the kernel answers every echo request itself
            try (CommandProcess gen = kernel.gen("--proto", "icmp", "--size", "56", "--count", "400", "--rate",
                "4000", "-i", "0.05"))
            {
                assertEquals(0, gen.awaitExit(60_000), gen.output());
                final Matcher summary = SUMMARY.matcher(gen.output());
                assertTrue(summary.find(), gen.output());
                assertEquals(400, Long.parseLong(summary.group(1)), gen.output());
                assertEquals(400, Long.parseLong(summary.group(2)) + Long.parseLong(summary.group(3)), gen.output());
                assertTrue(Long.parseLong(summary.group(2)) >= 390, "the kernel answers (a few may be rate-limited): " +
                    gen.output());
                assertTrue(gen.output().matches("(?s).*\\[SUM\\] +0\\.00-0\\.\\d\\d +sec.*"), gen.output());
                assertTrue(gen.output().contains("rtt over "), gen.output());
            }

            // one-way UDP (the default, iperf3's): a kernel socket does not count and report a stream, and nothing
            // listens on 5201: gen says so in one line and exits 1 at once (ICMP port unreachable), sending no data
            try (CommandProcess gen = kernel.gen("--size", "64", "--count", "1000", "-i", "0"))
            {
                assertEquals(1, gen.awaitExit(60_000), gen.output());
                assertTrue(gen.output().contains("pvnet gen: no receiver at 192.0.2.1:5201 counted the one-way stream " +
                    "(ICMP port unreachable; a pvnet guest counts it, a kernel socket or an older guest does not: " +
                    "--echo has port 7 echo each datagram instead)"), gen.output());
            }

            // UDP echo to a port nothing listens on: the kernel answers the first datagram with ICMP port unreachable,
            // so gen's window holds nothing back (it sends as the ring takes frames, as before there was a window)
            try (CommandProcess gen = kernel.gen("--echo", "--size", "64", "--count", "20000", "--port", "9", "-i", "0"))
            {
                assertEquals(0, gen.awaitExit(60_000), gen.output());
                final Matcher summary = SUMMARY.matcher(gen.output());
                assertTrue(summary.find(), gen.output());
                assertEquals(20000, Long.parseLong(summary.group(1)), gen.output());
                assertEquals(0, Long.parseLong(summary.group(2)), gen.output());
                assertTrue(gen.output().contains("not paced (the peer refused the port: no echoes)") ||
                    gen.output().contains("not paced (no echoes came)"), gen.output());
            }

            // UDP echo from a kernel socket, two flows
            final Process echo = kernel.netns().start("python3", Netns.kernelClient(), "udp-echo", "192.0.2.1", "7",
                "30");
            try (CommandProcess gen = awaitListening(echo) ? kernel.gen("--echo", "-P", "2", "--size", "64,1000",
                "--count", "1000", "--rate", "5000") : null)
            {
                assertEquals(0, gen.awaitExit(60_000), gen.output());
                final Matcher summary = SUMMARY.matcher(gen.output());
                assertTrue(summary.find(), gen.output());
                assertEquals(1000, Long.parseLong(summary.group(1)), gen.output());
                assertTrue(Long.parseLong(summary.group(2)) >= 950, gen.output());
            }
            // the same socket unpaced by a rate: gen paces itself to its answers
            try (CommandProcess gen = kernel.gen("--echo", "--size", "64", "--count", "20000", "-i", "0"))
            {
                assertEquals(0, gen.awaitExit(60_000), gen.output());
                final Matcher summary = SUMMARY.matcher(gen.output());
                assertTrue(summary.find(), gen.output());
                assertEquals(20000, Long.parseLong(summary.group(1)), gen.output());
                assertTrue(Long.parseLong(summary.group(2)) >= 19_000, "a kernel socket's buffer may drop a few: " +
                    gen.output());
                assertTrue(gen.output().contains("paced to the answers: window"), gen.output());
            }
            finally
            {
                echo.destroyForcibly();
            }

            // reverse: a kernel socket streams to gen
            final Process source = kernel.netns().start("python3", Netns.kernelClient(), "source", "192.0.2.1", "30");
            final Path json = dir.resolve("reverse.json");
            try (CommandProcess gen = awaitListening(source) ? kernel.gen("--reverse", "-P", "2", "--size", "500",
                "--count", "2000", "--rate", "10000", "-i", "0.1", "--json", json.toString()) : null)
            {
                assertEquals(0, gen.awaitExit(60_000), gen.output());
                assertTrue(gen.output().matches("(?s).*Received +Jitter  Lost/Total\n.*"), gen.output());
                final Map<String, Object> end = (Map<String, Object>)JSON.std.mapFrom(Files.readString(json)).get("end");
                final Map<String, Object> received = (Map<String, Object>)end.get("received");
                assertTrue(((Number)received.get("frames")).longValue() >= 1900, end.toString());
                assertEquals(((Number)received.get("expected")).longValue(), ((Number)received.get("frames")).longValue() +
                    ((Number)received.get("lost")).longValue());
            }
            finally
            {
                source.destroyForcibly();
            }
            // TSO frames of 60000 bytes to a kernel socket, whose window may be smaller than a frame: gen follows the
            // window instead of stalling after the first frame (the issue's "sent 1 frames" in 2 s)
            final Process server = kernel.netns().start("python3", Netns.kernelClient(), "server", "192.0.2.1", "5001");
            try (CommandProcess gen = awaitListening(server) ? kernel.gen("--proto", "tcp", "--port", "5001", "--tso",
                "--size", "60000", "--duration", "1", "-i", "0.25") : null)
            {
                assertEquals(0, gen.awaitExit(60_000), gen.output());
                final Matcher sent = Pattern.compile("sent (\\d+) frames .*answered (\\d+) bytes acknowledged")
                    .matcher(gen.output());
                assertTrue(sent.find(), gen.output());
                assertTrue(Long.parseLong(sent.group(1)) >= 3, gen.output());
                final String received = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                final Matcher count = Pattern.compile("received (\\d+) ").matcher(received);
                assertTrue(count.find(), received);
                // closed: the kernel got and acknowledged every byte sent
                assertTrue(gen.output().contains(", closed"), gen.output());
                assertEquals(Long.parseLong(sent.group(2)), Long.parseLong(count.group(1)), received + " / " + gen.output());
            }
            finally
            {
                server.destroyForcibly();
            }
            kernel.stop();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldRunTcpConnectionsEachWayAgainstKernelSockets(@TempDir final Path dir) throws Exception
    {
        try (KernelPeer kernel = KernelPeer.start(dir, "gent", true))
        {

            // -P 2 to a kernel socket that reads: each connection's bytes acknowledged are the bytes the kernel read
            final Path forwardJson = dir.resolve("forward.json");
            final Helper sink = Helper.start(kernel.netns(), "tcp-sink", "192.0.2.1", "5002", "30");
            try (CommandProcess gen = kernel.gen("--proto", "tcp", "-P", "2", "--size", "1448", "--count", "2000",
                "-i", "0.1", "--port", "5002", "--json", forwardJson.toString()))
            {
                assertEquals(0, gen.awaitExit(60_000), gen.output());
                assertTrue(gen.output().contains("[  2]") && gen.output().contains("[SUM]"), gen.output());
                final Map<String, Long> read = sink.closed(2);
                final Map<String, Object> end = (Map<String, Object>)JSON.std.mapFrom(Files.readString(forwardJson))
                    .get("end");
                assertEquals(Boolean.TRUE, end.get("closed"), end.toString());
                for (final Map<String, Object> flow : (List<Map<String, Object>>)end.get("streams"))
                {
                    final String port = flow.get("source_port").toString();
                    assertEquals(1000 * 1448L, ((Number)flow.get("answered_payload_bytes")).longValue(), flow.toString());
                    assertEquals(1000 * 1448L, read.get(port), "the kernel read each connection's bytes: " + read);
                }
            }
            finally
            {
                sink.process.destroyForcibly();
            }

            // --reverse -P 2 from a kernel socket that writes (iperf3 -R's server): gen receives on both
            final Path reverseJson = dir.resolve("reverse.json");
            final Helper source = Helper.start(kernel.netns(), "tcp-source", "192.0.2.1", "5003", "30");
            try (CommandProcess gen = kernel.gen("--proto", "tcp", "--reverse", "-P", "2", "-t", "1", "-i", "0.25",
                "--port", "5003", "--json", reverseJson.toString()))
            {
                assertEquals(0, gen.awaitExit(60_000), gen.output());
                assertTrue(gen.output().contains("Received  (Transfer: in-order bytes)"), gen.output());
                final Map<String, Long> written = source.closed(2);
                assertEquals(java.util.Set.of("40000", "40001"), written.keySet(), "both connections closed cleanly");
                final Map<String, Object> end = (Map<String, Object>)JSON.std.mapFrom(Files.readString(reverseJson))
                    .get("end");
                for (final Map<String, Object> flow : (List<Map<String, Object>>)end.get("streams"))
                {
                    final long received = ((Number)flow.get("received_payload_bytes")).longValue();
                    assertTrue(received >= 100_000, "the kernel sent to each connection: " + flow);
                    assertTrue(received <= written.get(flow.get("source_port").toString()), flow + " / " + written);
                }
            }
            finally
            {
                source.process.destroyForcibly();
            }

            // --bidir: a sending and a receiving connection, to two kernel sockets
            final Helper sink2 = Helper.start(kernel.netns(), "tcp-sink", "192.0.2.1", "5004", "30");
            final Helper source2 = Helper.start(kernel.netns(), "tcp-source", "192.0.2.1", "5005", "30");
            try (CommandProcess gen = kernel.gen("--proto", "tcp", "--bidir", "--size", "1448", "--count", "1000",
                "-i", "0.1", "--port", "5004", "--reverse-port", "5005"))
            {
                assertEquals(0, gen.awaitExit(60_000), gen.output());
                assertTrue(gen.output().contains("[SUM][TX]") && gen.output().contains("[SUM][RX]"), gen.output());
                final Matcher summary = Pattern.compile("answered (\\d+) bytes acknowledged.*; received \\d+ frames " +
                    "\\((\\d+) payload bytes\\)").matcher(gen.output());
                assertTrue(summary.find(), gen.output());
                assertEquals(1000 * 1448L, Long.parseLong(summary.group(1)), gen.output());
                assertTrue(Long.parseLong(summary.group(2)) >= 1000 * 1448L, gen.output());
                assertEquals(1000 * 1448L, sink2.closed(1).get("40000"));
                assertEquals(1, source2.closed(1).size());
            }
            finally
            {
                sink2.process.destroyForcibly();
                source2.process.destroyForcibly();
            }
            kernel.stop();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldEndTheConnectionTheKernelResetsMidRunAndFinishTheOther(@TempDir final Path dir) throws Exception
    {
        try (KernelPeer kernel = KernelPeer.start(dir, "genr", true))
        {
            // the kernel resets flow 1's connection (from port 40000) once it read 300 kB; flow 2's it reads to its end
            final Path json = dir.resolve("reset.json");
            final Helper sink = Helper.start(kernel.netns(), "tcp-reset", "192.0.2.1", "5006", "30", "40000", "300000");
            try (CommandProcess gen = kernel.gen("--proto", "tcp", "-P", "2", "--size", "1448", "--count", "4000",
                "-i", "0.1", "--port", "5006", "--json", json.toString()))
            {
                assertEquals(4, gen.awaitExit(60_000), "a reset in the run is an error: " + gen.output());
                final Matcher line = Pattern.compile("pvnet gen: \\[  1\\] reset by the peer at (\\d+\\.\\d+) s " +
                    "\\(40000 -> 192\\.0\\.2\\.1:5006\\): ([\\d,]+) bytes acknowledged, [\\d,]+ sent never acknowledged; " +
                    "this connection ends, the others go on").matcher(gen.output());
                assertTrue(line.find(), gen.output());
                final long acknowledged = Long.parseLong(line.group(2).replace(",", ""));
                assertTrue(acknowledged >= 300_000, "the kernel acknowledged what it read, at least: " + gen.output());
                assertTrue(gen.output().contains("pvnet gen: the peer reset 1 connection during the run"), gen.output());
                final Map<String, Long> read = sink.closed(2);
                assertEquals(2000 * 1448L, read.get("40001"), "the other connection went on to its end: " + read);
                final Map<String, Object> end = (Map<String, Object>)JSON.std.mapFrom(Files.readString(json))
                    .get("end");
                assertEquals(1, ((Number)end.get("peer_resets")).intValue(), end.toString());
                final Map<String, Object> reset = ((List<Map<String, Object>>)end.get("peer_reset")).getFirst();
                assertEquals(1, ((Number)reset.get("id")).intValue(), reset.toString());
                assertEquals(acknowledged, ((Number)reset.get("acknowledged_bytes")).longValue(), reset.toString());
                final Map<String, Object> second = ((List<Map<String, Object>>)end.get("streams")).get(1);
                assertEquals(2000 * 1448L, ((Number)second.get("answered_payload_bytes")).longValue(), second.toString());
            }
            finally
            {
                sink.process.destroyForcibly();
            }
            kernel.stop();
        }
    }

    /** A kernel_client.py server in the namespace, read line by line. */
    private record Helper(Process process, BufferedReader reader)
    {
        static Helper start(final Netns netns, final String... args) throws Exception
        {
            final String[] command = new String[args.length + 2];
            command[0] = "python3";
            command[1] = Netns.kernelClient();
            System.arraycopy(args, 0, command, 2, args.length);
            final Process process = netns.start(command);
            final BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
            assertEquals("listening", reader.readLine(), "kernel-side helper started");
            return new Helper(process, reader);
        }

        /** @return the next {@code connections} "closed PORT BYTES" lines: bytes by the peer's port. */
        Map<String, Long> closed(final int connections) throws Exception
        {
            final Map<String, Long> bytes = new java.util.TreeMap<>();
            while (bytes.size() < connections)
            {
                final String line = reader.readLine();
                assertTrue(line != null && line.startsWith("closed "), "helper: " + line);
                final String[] fields = line.split(" ");
                bytes.put(fields[1], Long.parseLong(fields[2]));
            }
            return bytes;
        }
    }

    private static boolean awaitListening(final Process process) throws Exception
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final String line = reader.readLine();
        assertEquals("listening", line, "kernel-side helper started");
        return true;
    }

    /**
     * The kernel as gen's peer: a {@code pvnet switch} of one vif whose TAP port ({@code pv} + tag + this pid) is moved
     * into a namespace of its own, the kernel's end there at 192.0.2.1/24; gen runs on vif 1 as 192.0.2.2. Closing
     * stops the switch (if {@link #stop()} did not), then deletes the namespace.
     */
    private record KernelPeer(Netns netns, Path region, CommandProcess sw) implements AutoCloseable
    {
        /**
         * @param tag     the namespace's tag, in the TAP's name too: at most 6 characters, so pv + tag + a 7-digit pid
         *                fit IFNAMSIZ's 15.
         * @param offload the TAP's offloads (checksum, TSO) on.
         */
        static KernelPeer start(final Path dir, final String tag, final boolean offload) throws InterruptedException
        {
            final String tap = "pv" + tag + ProcessHandle.current().pid();
            final Path region = dir.resolve(tag + ".region");
            final Netns netns = Netns.create(tag);
            CommandProcess sw = null;
            try
            {
                sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "1", "--tap",
                    tap + ",offload=" + (offload ? "on" : "off"));
                assertTrue(sw.awaitOutput("ready", 30_000), sw.output());
                netns.adopt(tap);
                netns.exec("ip", "addr", "add", "192.0.2.1/24", "dev", tap).check();
                netns.exec("ip", "link", "set", tap, "up").check();
                return new KernelPeer(netns, region, sw);
            }
            catch (final Throwable ex)
            {
                try
                {
                    if (sw != null)
                    {
                        sw.close();
                    }
                }
                finally
                {
                    netns.close(); // even when stopping the switch throws
                }
                throw ex;
            }
        }

        /** {@return {@code pvnet gen} on vif 1 toward the kernel, with {@code args} after the addresses} */
        CommandProcess gen(final String... args)
        {
            final String[] all = new String[args.length + 9];
            System.arraycopy(new String[] {"gen", "--region", region.toString(), "--vif", "1", "--ip", "192.0.2.2/24",
                "--dst", "192.0.2.1"}, 0, all, 0, 9);
            System.arraycopy(args, 0, all, 9, args.length);
            return new CommandProcess(all);
        }

        /** Ends the switch with SIGTERM: it exits as a terminated JVM does, its summary printed. */
        void stop() throws InterruptedException
        {
            assertEquals(CommandProcess.SIGTERM_EXIT, sw.terminate(10_000), sw.output());
        }

        @Override
        public void close()
        {
            try
            {
                sw.close();
            }
            finally
            {
                netns.close();
            }
        }
    }
}
