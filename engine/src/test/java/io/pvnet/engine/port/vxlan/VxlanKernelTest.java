package io.pvnet.engine.port.vxlan;

import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.engine.port.ResponderPort;
import io.pvnet.engine.port.TestResponder;
import io.pvnet.engine.port.pcap.CaptureTee;
import io.pvnet.engine.port.pcap.PcapPort;
import io.pvnet.testsupport.Netns;
import io.pvnet.testsupport.Tshark;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A {@link VxlanPort} on a bridge interoperating with a Linux vxlan device: the test makes a namespace joined to the
 * host by a veth pair (a /30 of 198.51.100.0/24 that no interface of the host uses yet: .1 of it on the host end, .2 in
 * the namespace), a kernel vxlan device (VNI 42, remote = our address, destination port a UDP port that was free on
 * the host) with 192.0.2.1/24 and fd00::1/64, and a responder (192.0.2.2, fd00::2) behind the bridge. The host-side
 * subnet and port are chosen per run, so two runs of this test at once (two checkouts) do not take each other's
 * traffic; the namespace's addresses are its own. The kernel
 * pings the responder over IPv4 and IPv6, sends it UDP and a TCP stream; a capture of the bridge's side of the
 * tunnel is read back with tshark with checksum validation.
 */
@Timeout(60)
class VxlanKernelTest
{
    private static final int VNI = 42;

    @BeforeAll
    static void requireKernel()
    {
        Netns.assumeAvailable();
    }

    @Test
    void shouldInteroperateWithALinuxVxlanDevice(@TempDir final Path dir) throws Exception
    {
        final String hostEnd = "pvxh" + ProcessHandle.current().pid();
        final String nsEnd = "pvxn" + ProcessHandle.current().pid();
        final Path capture = dir.resolve("vxlan.pcap");
        final boolean ethtool;
        try (Netns netns = Netns.create("vxlan"))
        {
            Netns.run(10, "ip", "link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd).check();
            netns.adopt(nsEnd);
            final int subnet = freeSubnet();
            final String hostIp = "198.51.100." + (subnet + 1);
            final String nsIp = "198.51.100." + (subnet + 2);
            Netns.run(10, "ip", "addr", "add", hostIp + "/30", "dev", hostEnd).check();
            Netns.run(10, "ip", "link", "set", hostEnd, "up").check();
            netns.exec("ip", "addr", "add", nsIp + "/30", "dev", nsEnd).check();
            netns.exec("ip", "link", "set", nsEnd, "up").check();
            final int udpPort = freeUdpPort(hostIp);
            netns.exec("ip", "link", "add", "vxlan0", "type", "vxlan", "id", Integer.toString(VNI), "local",
                nsIp, "remote", hostIp, "dstport", Integer.toString(udpPort), "dev", nsEnd).check();
            netns.exec("ip", "link", "set", "vxlan0", "address", "02:00:00:00:00:01").check();
            netns.exec("ip", "addr", "add", "192.0.2.1/24", "dev", "vxlan0").check();
            netns.exec("ip", "-6", "addr", "add", "fd00::1/64", "dev", "vxlan0", "nodad").check();
            netns.exec("ip", "link", "set", "vxlan0", "up").check();
            // Over a veth the kernel keeps the inner frame CHECKSUM_PARTIAL and unsegmented (up to 64 KiB, with a
            // pseudo-header-only TCP/UDP sum) and nothing in VXLAN says so; a real NIC underlay would finish both.
            // Make the namespace's vxlan device finish them in software, as it does over a NIC without offloads.
            ethtool = netns.exec("ethtool", "-K", "vxlan0", "tx", "off", "tso", "off", "gso", "off")
                .exitCode() == 0;

            final VxlanPort vxlan = new VxlanPort(new VxlanConfig(
                new InetSocketAddress(InetAddress.getByName(hostIp), udpPort),
                new InetSocketAddress(InetAddress.getByName(nsIp), udpPort), VNI, 1450));
            final Bridge bridge = new Bridge(BridgeConfig.defaults(NoFrameOffload.INSTANCE));
            final TestResponder responder = new TestResponder(new byte[]{2, 0, 0, 0, 0, 2},
                new byte[]{(byte)192, 0, 2, 2}, new byte[]{(byte)0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
            final PcapPort pcap = new PcapPort("vxlan");
            pcap.start(capture);
            final int tunnel = bridge.attach(vxlan, PortVlan.access(1));
            final int host = bridge.attach(new ResponderPort(responder, PortOffloads.NONE), PortVlan.access(1));
            vxlan.ingress(new CaptureTee(pcap, bridge.ingress(tunnel)));
            responder.out(bridge.ingress(host));

            final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                new CompositeAgent(pcap, bridge, vxlan));
            AgentRunner.startOnThread(runner);
            try
            {
                final Netns.Result ping4 = netns.client("ping", "192.0.2.2", "3");
                assertEquals(0, ping4.exitCode(), ping4.output());
                final Netns.Result ping6 = netns.client("ping", "fd00::2", "3");
                assertEquals(0, ping6.exitCode(), ping6.output());
                final Netns.Result udp = netns.client("udp", "192.0.2.2", "7", "over-vxlan");
                assertTrue(udp.output().contains("over-vxlan"), udp.output());
                final Netns.Result tcp = netns.client("tcp", "192.0.2.2", "9", "300000");
                assertEquals(0, tcp.exitCode(), tcp.output());
                assertEquals(300000, responder.tcpPayloadBytes.get());
            }
            finally
            {
                runner.close();
            }
            assertTrue(vxlan.counters().get(PortCounters.TX_FRAMES) >= 10);
            assertEquals(0, vxlan.counters().txDropsTotal());
            assertEquals(0, vxlan.wrongVniCount() + vxlan.malformedCount());
        }
        finally
        {
            Netns.run(10, "ip", "link", "del", hostEnd);
        }
        final List<String> protocols = Tshark.fields(capture, "frame.protocols");
        assertTrue(protocols.stream().anyMatch(p -> p.endsWith(":icmpv6")), protocols.toString());
        assertTrue(protocols.stream().anyMatch(p -> p.contains(":tcp")), protocols.toString());
        assumeTrue(ethtool, "ethtool missing: cannot switch off the kernel vxlan device's offloads, sums not checked");
        assertEquals(List.of(), Tshark.errors(capture), "the kernel's frames out of the tunnel have valid sums");
    }

    /**
     * @return the first address of a /30 in 198.51.100.0/24 that no interface of the host has an address in, starting
     * at one chosen by this process's id.
     */
    private static int freeSubnet()
    {
        final String used = Netns.run(10, "ip", "-o", "-4", "addr", "show").check().output();
        final int start = (int)(ProcessHandle.current().pid() % 64);
        for (int i = 0; i < 64; i++)
        {
            final int base = ((start + i) % 64) * 4;
            boolean free = true;
            for (int host = 0; host < 4; host++)
            {
                free &= !used.contains(" 198.51.100." + (base + host) + "/");
            }
            if (free)
            {
                return base;
            }
        }
        throw new IllegalStateException("every /30 of 198.51.100.0/24 is in use on this host: " + used);
    }

    /** @return a UDP port free on {@code address} now (the kernel's choice of an ephemeral one). */
    private static int freeUdpPort(final String address) throws java.io.IOException
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(
            new InetSocketAddress(InetAddress.getByName(address), 0)))
        {
            return socket.getLocalPort();
        }
    }
}
