package io.pvnet.engine.bridge;

import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.tap.TapDevice;
import io.pvnet.engine.port.tap.TapPort;
import io.pvnet.engine.port.vxlan.VxlanConfig;
import io.pvnet.engine.port.vxlan.VxlanPort;
import io.pvnet.testsupport.Netns;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two kernels joined by the bridge through two TAP ports: a TCP client in one namespace (192.0.2.1, its TAP with
 * offload, so the kernel sends TSO frames with partial sums) streams to a server in another (192.0.2.2). When the
 * server's TAP declares no offload the bridge splits and completes every frame in software; when it offloads, the
 * frames pass through untouched in the virtio-net header. Either way the server's kernel gets every byte and counts
 * no checksum error (TcpInCsumErrors counts IPv4 and IPv6).
 */
@Timeout(90)
class SwitchKernelTest
{
    /** Bytes streamed: {@code -Dpvnet.switch.kernelTestBytes} or env {@code PVNET_SWITCH_KERNEL_TEST_BYTES}, 8 MiB. */
    private static final int BYTES = Integer.getInteger("pvnet.switch.kernelTestBytes",
        Integer.parseInt(System.getenv().getOrDefault("PVNET_SWITCH_KERNEL_TEST_BYTES", Integer.toString(8 << 20))));

    /** The bridge thread's idle strategy: {@code PVNET_SWITCH_IDLE=yield|spin|backoff} (default backoff, 1 ms park). */
    private static final java.util.function.Supplier<IdleStrategy> IDLE = () ->
        switch (System.getenv().getOrDefault("PVNET_SWITCH_IDLE", "backoff"))
        {
            case "yield" -> new YieldingIdleStrategy();
            case "spin" -> new BusySpinIdleStrategy();
            default -> new BackoffIdleStrategy();
        };

    @BeforeAll
    static void requireKernel()
    {
        Netns.assumeAvailable();
    }

    @Test
    void shouldSplitAndCompleteTsoFramesForAPortWithoutOffload() throws Exception
    {
        final Bridge bridge = stream(false, false);
        assertTrue(bridge.softwareSplits() > 0, "splits=" + bridge.softwareSplits());
        assertTrue(bridge.softwareSegments() > bridge.softwareSplits());
    }

    @Test
    void shouldSplitAndCompleteIpv6TsoFramesForAPortWithoutOffload() throws Exception
    {
        final Bridge bridge = stream(false, true);
        assertTrue(bridge.softwareSplits() > 0, "splits=" + bridge.softwareSplits());
    }

    @Test
    void shouldPassTsoFramesThroughToAPortWithOffload() throws Exception
    {
        final Bridge bridge = stream(true, false);
        assertTrue(bridge.passedThroughOffloads() > 0);
        assertEquals(0, bridge.softwareSplits());
        assertEquals(0, bridge.softwareChecksums());
    }

    private static Bridge stream(final boolean serverOffload, final boolean ipv6) throws Exception
    {
        final Bridge bridge = new Bridge(BridgeConfig.defaults(new ChecksumFrameOffload()));
        try (Netns client = Netns.create("cli"); Netns server = Netns.create("srv"))
        {
            final TapPort clientTap = tap(client, true, "192.0.2.1/24", "fd00::1/64", "02:00:00:00:01:01");
            final TapPort serverTap = tap(server, serverOffload, "192.0.2.2/24", "fd00::2/64", "02:00:00:00:01:02");
            final String serverAddress = ipv6 ? "fd00::2" : "192.0.2.2";
            clientTap.ingress(bridge.ingress(bridge.attach(clientTap, PortVlan.access(1))));
            serverTap.ingress(bridge.ingress(bridge.attach(serverTap, PortVlan.access(1))));
            final AgentRunner runner = new AgentRunner(IDLE.get(), Throwable::printStackTrace, null,
                new CompositeAgent(bridge, clientTap, serverTap));
            AgentRunner.startOnThread(runner);
            final Process listener = server.start("python3", Netns.kernelClient(), "server", serverAddress, "5001");
            try
            {
                assertEquals("listening", new BufferedReader(new InputStreamReader(listener.getInputStream())).readLine());
                final long start = System.nanoTime();
                final Netns.Result sent = client.client("tcp", serverAddress, "5001", Integer.toString(BYTES));
                final long elapsedNs = System.nanoTime() - start;
                System.out.printf("switch kernel stream: idle=" + System.getenv().getOrDefault("PVNET_SWITCH_IDLE", "backoff") +
                    " ipv6=%s server offload=%s, %d bytes in %.1f ms = %.2f Gbit/s " +
                    "(includes python and process start)%n", ipv6, serverOffload, BYTES, elapsedNs / 1e6,
                    BYTES * 8.0 / elapsedNs);
                assertEquals(0, sent.exitCode(), sent.output());
                assertTrue(listener.waitFor(30, TimeUnit.SECONDS));
                final String received = new String(listener.getInputStream().readAllBytes()).trim();
                assertEquals("received " + BYTES + " sum " + ((long)BYTES * 'p' & 0xFFFF_FFFFL), received);
            }
            finally
            {
                listener.destroyForcibly();
                runner.close();
            }
            assertEquals("0", server.nstat("TcpInCsumErrors"));
            assertEquals("0", client.nstat("TcpInCsumErrors"));
            for (int i = 0; i < 2; i++)
            {
                final PortCounters counters = bridge.counters(i);
                assertEquals(0, counters.txDropsTotal(), "port " + i);
                assertEquals(counters.get(PortCounters.TX_OFFERED), counters.get(PortCounters.TX_FRAMES));
            }
        }
        return bridge;
    }

    @Test
    void shouldJoinTwoSwitchesOverVxlan() throws Exception
    {
        final java.net.InetAddress loopback = java.net.InetAddress.getLoopbackAddress();
        final int portA = freeUdpPort();
        final int portB = freeUdpPort();
        final Bridge bridgeA = new Bridge(BridgeConfig.defaults(new ChecksumFrameOffload()));
        final Bridge bridgeB = new Bridge(BridgeConfig.defaults(new ChecksumFrameOffload()));
        try (Netns hostA = Netns.create("hosta"); Netns hostB = Netns.create("hostb"))
        {
            final TapPort tapA = tap(hostA, true, "192.0.2.1/24", "fd00::1/64", "02:00:00:00:03:01");
            final TapPort tapB = tap(hostB, true, "192.0.2.2/24", "fd00::2/64", "02:00:00:00:03:02");
            final VxlanPort vxlanA = new VxlanPort(new VxlanConfig(new java.net.InetSocketAddress(loopback, portA),
                new java.net.InetSocketAddress(loopback, portB), 77, 1450));
            final VxlanPort vxlanB = new VxlanPort(new VxlanConfig(new java.net.InetSocketAddress(loopback, portB),
                new java.net.InetSocketAddress(loopback, portA), 77, 1450));
            tapA.ingress(bridgeA.ingress(bridgeA.attach(tapA, PortVlan.access(1))));
            vxlanA.ingress(bridgeA.ingress(bridgeA.attach(vxlanA, PortVlan.access(1))));
            tapB.ingress(bridgeB.ingress(bridgeB.attach(tapB, PortVlan.access(1))));
            vxlanB.ingress(bridgeB.ingress(bridgeB.attach(vxlanB, PortVlan.access(1))));
            final AgentRunner runner = new AgentRunner(IDLE.get(), Throwable::printStackTrace, null,
                new CompositeAgent(bridgeA, tapA, vxlanA, bridgeB, tapB, vxlanB));
            AgentRunner.startOnThread(runner);
            final Process listener = hostB.start("python3", Netns.kernelClient(), "server", "192.0.2.2", "5001");
            try
            {
                final Netns.Result ping4 = hostA.client("ping", "192.0.2.2", "3");
                assertEquals(0, ping4.exitCode(), ping4.output());
                final Netns.Result ping6 = hostA.client("ping", "fd00::2", "3");
                assertEquals(0, ping6.exitCode(), ping6.output());
                assertEquals("listening", new BufferedReader(new InputStreamReader(listener.getInputStream())).readLine());
                final int bytes = 4 << 20;
                final Netns.Result sent = hostA.client("tcp", "192.0.2.2", "5001", Integer.toString(bytes));
                assertEquals(0, sent.exitCode(), sent.output());
                assertTrue(listener.waitFor(30, TimeUnit.SECONDS));
                assertEquals("received " + bytes + " sum " + ((long)bytes * 'p' & 0xFFFF_FFFFL),
                    new String(listener.getInputStream().readAllBytes()).trim());
            }
            finally
            {
                listener.destroyForcibly();
                runner.close();
            }
            assertTrue(bridgeA.softwareSplits() > 0, "TSO frames split to the tunnel's inner MTU before encapsulation");
            assertEquals(0, bridgeA.counters(1).txDropsTotal(), () -> dropReasons(bridgeA.counters(1)));
            assertEquals(0, vxlanB.wrongVniCount() + vxlanB.malformedCount());
            assertEquals("0", hostB.nstat("TcpInCsumErrors"));
        }
    }

    private static String dropReasons(final PortCounters counters)
    {
        final StringBuilder text = new StringBuilder();
        for (int r = io.pvnet.engine.port.PortDropReason.FIRST; r < io.pvnet.engine.port.PortDropReason.END; r++)
        {
            if (counters.txDrops(r) != 0)
            {
                text.append(io.pvnet.engine.port.PortDropReason.name(r)).append('=').append(counters.txDrops(r))
                    .append(' ');
            }
        }
        return text.toString();
    }

    private static int freeUdpPort() throws java.io.IOException
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static TapPort tap(
        final Netns netns, final boolean offload, final String address, final String address6, final String mac)
    {
        final TapDevice device = new TapDevice("", offload);
        try
        {
            netns.adopt(device.name());
            netns.exec("ip", "link", "set", device.name(), "address", mac).check();
            netns.exec("ip", "addr", "add", address, "dev", device.name()).check();
            netns.exec("ip", "-6", "addr", "add", address6, "dev", device.name(), "nodad").check();
            netns.exec("ip", "link", "set", device.name(), "up").check();
        }
        catch (final RuntimeException ex)
        {
            device.close();
            throw ex;
        }
        return new TapPort(device, 1500);
    }

}
