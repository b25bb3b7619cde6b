package io.pvnet.engine.port.tap;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.TestResponder;
import io.pvnet.engine.port.pcap.CaptureTee;
import io.pvnet.engine.port.pcap.PcapPort;
import io.pvnet.testsupport.AllocationRounds;
import io.pvnet.testsupport.Netns;
import io.pvnet.testsupport.TestFrames;
import io.pvnet.testsupport.Tshark;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A {@link TapPort} against the real kernel: the TAP is moved into a namespace the test creates, given 192.0.2.1/24
 * and fd00::1/64, and the kernel there pings, sends UDP to and opens TCP connections to a {@link TestResponder}
 * (192.0.2.2, fd00::2) that reads and writes the TAP through the port.
 */
@Timeout(60)
class TapPortKernelTest
{
    /** Reused for every frame handed in, as the data path does (so the allocation checks see none). */
    private final FrameMetadata metadata = new FrameMetadata();

    private static final byte[] RESPONDER_MAC = {2, 0, 0, 0, 0, 2};
    private static final byte[] RESPONDER_IP = {(byte)192, 0, 2, 2};
    private static final byte[] RESPONDER_IP6 = {(byte)0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

    @BeforeAll
    static void requireKernel()
    {
        Netns.assumeAvailable();
    }

    @Test
    void shouldAnswerKernelPingOverIpv4AndIpv6()
    {
        try (Netns netns = Netns.create("ping"); Harness harness = new Harness(netns, false))
        {
            final Netns.Result ping4 = netns.client("ping", "192.0.2.2", "3");
            assertEquals(0, ping4.exitCode(), ping4.output());
            final Netns.Result ping6 = netns.client("ping", "fd00::2", "3");
            assertEquals(0, ping6.exitCode(), ping6.output());
            assertTrue(harness.port.counters().get(PortCounters.TX_FRAMES) >= 8, "arp, nd and 6 echo replies");
            assertEquals(0, harness.port.counters().txDropsTotal());
        }
    }

    @Test
    void shouldCaptureKernelTrafficThatTsharkValidates(@TempDir final Path dir)
    {
        assumeTrue(Tshark.unavailableReason() == null, "tshark missing");
        final Path file = dir.resolve("tap.pcap");
        try (Netns netns = Netns.create("pcap"); Harness harness = new Harness(netns, false, file))
        {
            assertEquals(0, netns.client("ping", "192.0.2.2", "2").exitCode());
            assertEquals(0, netns.client("ping", "fd00::2", "2").exitCode());
            assertEquals(0, netns.client("udp", "192.0.2.2", "7", "captured").exitCode());
            assertEquals(0, netns.client("tcp", "192.0.2.2", "9", "100000").exitCode());
        }
        final List<String> protocols = Tshark.fields(file, "frame.protocols");
        assertTrue(protocols.stream().anyMatch(p -> p.endsWith(":arp")), protocols.toString());
        assertTrue(protocols.stream().anyMatch(p -> p.endsWith(":icmp:data")), protocols.toString());
        assertTrue(protocols.stream().anyMatch(p -> p.endsWith(":icmpv6")), protocols.toString());
        assertTrue(protocols.stream().anyMatch(p -> p.contains(":udp")), protocols.toString());
        assertTrue(protocols.stream().anyMatch(p -> p.contains(":tcp")), protocols.toString());
        assertEquals(List.of(), Tshark.errors(file));
    }

    @Test
    void shouldEchoKernelUdpWithoutOffload()
    {
        try (Netns netns = Netns.create("udp"); Harness harness = new Harness(netns, false))
        {
            final Netns.Result udp = netns.client("udp", "192.0.2.2", "7", "pvnet-udp-echo");
            assertEquals(0, udp.exitCode(), udp.output());
            assertTrue(udp.output().contains("pvnet-udp-echo"), udp.output());
            assertEquals(0, harness.responder.csumPartialFrames.get(), "no offload: the kernel sums everything");
            assertEquals("0", netns.nstat("UdpInCsumErrors"));
        }
    }

    @Test
    void shouldMapCsumPartialFromKernelWithOffload()
    {
        try (Netns netns = Netns.create("udpoff"); Harness harness = new Harness(netns, true))
        {
            final Netns.Result udp = netns.client("udp", "192.0.2.2", "7", "pvnet-udp-offload");
            assertEquals(0, udp.exitCode(), udp.output());
            assertTrue(udp.output().contains("pvnet-udp-offload"), udp.output());
            assertTrue(harness.responder.csumPartialFrames.get() >= 1, "NEEDS_CSUM mapped to CSUM_PARTIAL");
            assertEquals(0, harness.responder.checksumStartMismatches.get(), "csum_start travels with the frame");
        }
    }

    @Test
    void shouldReceiveKernelTcpAsTsoFramesOnlyWithOffload()
    {
        final int bytes = 2 << 20;
        try (Netns netns = Netns.create("tso"); Harness harness = new Harness(netns, true))
        {
            final Netns.Result tcp = netns.client("tcp", "192.0.2.2", "9", Integer.toString(bytes));
            assertEquals(0, tcp.exitCode(), tcp.output());
            assertEquals(bytes, harness.responder.tcpPayloadBytes.get());
            assertTrue(harness.responder.gsoFrames.get() > 0, "the kernel sent GSO frames through the vnet header");
            assertTrue(harness.responder.largestFrame.get() > 1514, "largest=" + harness.responder.largestFrame);
        }
        try (Netns netns = Netns.create("notso"); Harness harness = new Harness(netns, false))
        {
            final Netns.Result tcp = netns.client("tcp", "192.0.2.2", "9", Integer.toString(bytes));
            assertEquals(0, tcp.exitCode(), tcp.output());
            assertEquals(bytes, harness.responder.tcpPayloadBytes.get());
            assertEquals(0, harness.responder.gsoFrames.get());
            assertTrue(harness.responder.largestFrame.get() <= 1514, "largest=" + harness.responder.largestFrame);
            assertEquals("0", netns.nstat("TcpInCsumErrors"));
        }
    }

    @Test
    void shouldDeliverTsoFramesWrittenThroughTheVnetHeaderToAKernelSocket() throws Exception
    {
        final int bytes = 60_000;
        try (Netns netns = Netns.create("tsowrite"))
        {
            final Process server = netns.start("python3", Netns.kernelClient(), "server", "192.0.2.1", "5001");
            try (Harness harness = new Harness(netns, true, null, bytes, true))
            {
                final String first = new java.io.BufferedReader(
                    new java.io.InputStreamReader(server.getInputStream())).readLine();
                assertEquals("listening", first);
                assertTrue(server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "server finished");
                final String result = new String(server.getInputStream().readAllBytes()).trim();
                assertEquals("received " + bytes + " sum " + TestTcpClient.patternSum(bytes, bytes), result);
                assertEquals(0, harness.client.sendStatus, "the TSO frame was written");
                final long frames = harness.port.counters().get(PortCounters.TX_FRAMES);
                assertTrue(frames < 15, "60000 bytes went as one TSO frame, not 42 segments: frames=" + frames);
                assertEquals(0, harness.port.counters().txDropsTotal());
                assertEquals("0", netns.nstat("TcpInCsumErrors"));
            }
            finally
            {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void shouldDeliverCompleteSegmentsWithoutOffload() throws Exception
    {
        final int bytes = 60_000;
        try (Netns netns = Netns.create("segwrite"))
        {
            final Process server = netns.start("python3", Netns.kernelClient(), "server", "192.0.2.1", "5001");
            try (Harness harness = new Harness(netns, false, null, bytes, false))
            {
                final String first = new java.io.BufferedReader(
                    new java.io.InputStreamReader(server.getInputStream())).readLine();
                assertEquals("listening", first);
                assertTrue(server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "server finished");
                final String result = new String(server.getInputStream().readAllBytes()).trim();
                assertEquals("received " + bytes + " sum " + TestTcpClient.patternSum(1448, bytes), result);
                assertEquals("0", netns.nstat("TcpInCsumErrors"));
                final org.agrona.concurrent.UnsafeBuffer frame = new org.agrona.concurrent.UnsafeBuffer(new byte[2000]);
                final int length = io.pvnet.testsupport.TestFrames.tcp4(frame, 0, -1, 100, true);
                assertEquals(io.pvnet.engine.port.PortDropReason.OFFLOAD_UNSUPPORTED, harness.port.onFrame(frame, 0,
                    length, metadata.set(io.pvnet.engine.frame.FrameFlags.CSUM_PARTIAL, 0, 0)),
                    "no offload negotiated");
            }
            finally
            {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void shouldWriteAndPollWithoutAllocating()
    {
        try (Netns netns = Netns.create("alloc"); TapDevice device = new TapDevice("", true))
        {
            netns.adopt(device.name());
            netns.exec("ip", "addr", "add", "192.0.2.1/24", "dev", device.name()).check();
            netns.exec("ip", "link", "set", device.name(), "up").check();
            final TapPort port = new TapPort(device, 1500);
            final org.agrona.concurrent.UnsafeBuffer frame =
                new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(70_000));
            final int udpLength = io.pvnet.testsupport.TestFrames.udp4(frame, 0, 3000, 9999, 200, true);
            // until C2 has compiled the FFM calls, the interpreter allocates
            final io.pvnet.testsupport.AllocationRounds run = new io.pvnet.testsupport.AllocationRounds().runUntilBelow(1024, () ->
            {
                for (int i = 0; i < 20_000; i++)
                {
                    // UDP to a closed port in the namespace: written with NEEDS_CSUM, the kernel answers nothing
                    // we need (ICMP unreachable is rate-limited and read back by doWork)
                    port.onFrame(frame, 0, udpLength, metadata.set(io.pvnet.engine.frame.FrameFlags.CSUM_PARTIAL, 0,
                        0));
                    port.doWork();
                }
            });
            assertTrue(run.lastAllocated < 1024, "allocated " + run.lastAllocated + " bytes for 20000 writes and polls");
            assertTrue(port.counters().get(PortCounters.TX_FRAMES) >= 20_000, "frames were written");
        }
    }

    /** A TAP in the namespace with addresses, its port, the responder, and the port's agent on a thread. */
    static final class Harness implements AutoCloseable
    {
        final TapPort port;
        final TestResponder responder;
        final AgentRunner runner;

        Harness(final Netns netns, final boolean offload)
        {
            this(netns, offload, null);
        }

        TestTcpClient client;

        Harness(final Netns netns, final boolean offload, final Path capture)
        {
            this(netns, offload, capture, 0, false);
        }

        Harness(final Netns netns, final boolean offload, final Path capture, final int tcpBytes, final boolean tso)
        {
            final TapDevice device = new TapDevice("", offload);
            try
            {
                netns.adopt(device.name());
                netns.exec("ip", "link", "set", device.name(), "address", "02:00:00:00:00:01").check();
                netns.exec("ip", "addr", "add", "192.0.2.1/24", "dev", device.name()).check();
                netns.exec("ip", "-6", "addr", "add", "fd00::1/64", "dev", device.name(), "nodad").check();
                netns.exec("ip", "link", "set", device.name(), "up").check();
            }
            catch (final RuntimeException ex)
            {
                device.close();
                throw ex;
            }
            port = new TapPort(device, 1500);
            responder = new TestResponder(RESPONDER_MAC, RESPONDER_IP, RESPONDER_IP6).out(port);
            if (tcpBytes > 0)
            {
                client = new TestTcpClient(port, responder, tcpBytes, 1448, tso);
                port.ingress(client);
                runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                    new CompositeAgent(port, client));
            }
            else if (capture == null)
            {
                port.ingress(responder);
                runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null, port);
            }
            else
            {
                final PcapPort pcap = new PcapPort("tap");
                pcap.start(capture);
                pcap.doWork();
                port.ingress(new CaptureTee(pcap, responder));
                responder.out(new CaptureTee(pcap, port));
                runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                    new CompositeAgent(port, pcap));
            }
            AgentRunner.startOnThread(runner);
        }

        @Override
        public void close()
        {
            runner.close();
        }
    }
}
