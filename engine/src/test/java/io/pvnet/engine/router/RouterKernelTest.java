package io.pvnet.engine.router;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.engine.port.tap.TapDevice;
import io.pvnet.engine.port.tap.TapPort;
import io.pvnet.testsupport.Netns;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel in a namespace the test creates pings a guest in another subnet through the router: the kernel's TAP
 * (10.1.0.2/24, fd00:0:1::2/64) has a route to the guest's subnet via the router's TAP port (10.1.0.1, fd00:0:1::1);
 * the guest (an in-process {@link GuestStack}, 10.0.1.2/24, fd00:0:0:1::2/64) sits behind the router's other port
 * (10.0.1.1, fd00:0:0:1::1) and never learns a route: it answers to the MAC a request came from. So the kernel
 * resolves its gateway by ARP/NDP, the router resolves the guest and the kernel on its own, and every ping crosses
 * the router twice, 3000-byte pings as fragments; a datagram sent with TTL 1 is dropped and the kernel counts the
 * ICMP time exceeded the router sends back. Skips without root,
 * {@code /dev/net/tun}, {@code ip} or {@code python3}.
 */
@Timeout(60)
class RouterKernelTest
{
    private static final long GUEST_MAC = 0x00_16_3E_00_01_00L;

    @BeforeAll
    static void requireKernel()
    {
        Netns.assumeAvailable();
    }

    @Test
    void shouldCarryKernelPingsToAGuestInAnotherSubnetIpv4AndIpv6() throws Exception
    {
        final Router router = new Router(RouterConfig.defaults(new ChecksumFrameOffload()));
        try (Netns netns = Netns.create("routed"); TapDevice device = new TapDevice("", true))
        {
            final TapPort tap = new TapPort(device, 1500);
            final int tapIndex = router.attach(tap, 0x02_70_76_00_01_00L);
            tap.ingress(router.ingress(tapIndex));
            final GuestPort guest = new GuestPort();
            final int guestIndex = router.attach(guest, 0x02_70_76_00_00_01L);
            guest.stack = new GuestStack(GUEST_MAC, 0x0A00_0102, 24,
                bytes(0xFD00_0000_0000_0001L, 2), 1500, router.ingress(guestIndex));
            router.address4(tapIndex, 0x0A01_0001, 24);
            router.address6(tapIndex, 0xFD00_0000_0001_0000L, 1, 64);
            router.address4(guestIndex, 0x0A00_0101, 24);
            router.address6(guestIndex, 0xFD00_0000_0000_0001L, 1, 64);

            netns.adopt(device.name());
            netns.exec("ip", "addr", "add", "10.1.0.2/24", "dev", device.name()).check();
            netns.exec("ip", "-6", "addr", "add", "fd00:0:1::2/64", "dev", device.name(), "nodad").check();
            netns.exec("ip", "link", "set", device.name(), "up").check();
            netns.exec("ip", "route", "add", "10.0.1.0/24", "via", "10.1.0.1").check();
            netns.exec("ip", "-6", "route", "add", "fd00:0:0:1::/64", "via", "fd00:0:1::1").check();

            final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, 100_000),
                Throwable::printStackTrace, null, new CompositeAgent(router, tap, guest));
            AgentRunner.startOnThread(runner);
            try
            {
                final Netns.Result ping4 = netns.client("ping", "10.0.1.2", "3");
                assertEquals(0, ping4.exitCode(), ping4.output() + state(router, guest));
                final Netns.Result big = netns.client("ping", "10.0.1.2", "2", "3000");
                assertEquals(0, big.exitCode(), "fragments routed both ways: " + big.output() + state(router, guest));
                final Netns.Result ping6 = netns.client("ping", "fd00:0:0:1::2", "3");
                assertEquals(0, ping6.exitCode(), ping6.output() + state(router, guest));
                final Netns.Result big6 = netns.client("ping", "fd00:0:0:1::2", "2", "3000");
                assertEquals(0, big6.exitCode(), big6.output() + state(router, guest));
                // one UDP datagram with TTL 1 (IPPROTO_IP 0, IP_TTL 2): the router must not forward it
                netns.exec("python3", "-c", "import socket; s = socket.socket(2, 2); s.setsockopt(0, 2, 1); " +
                    "s.sendto(b'x', ('10.0.1.2', 7))").check();
                final long deadline = System.nanoTime() + 2_000_000_000L;
                while (!"1".equals(netns.nstat("IcmpInTimeExcds")) && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(20);
                }
                assertEquals("1", netns.nstat("IcmpInTimeExcds"), "the kernel got ICMP time exceeded back");
            }
            finally
            {
                runner.close();
            }
            assertEquals(1, router.drops(PortDropReason.TTL_EXCEEDED), "the datagram sent with TTL 1");
            assertEquals(1, router.icmpErrorsSent());
            assertTrue(router.forwarded() >= 2 * (3 + 2 * 3 + 3 + 2 * 3), "forwarded " + router.forwarded());
            // the router asked for the guest (ARP, NS); the kernel it learned from the kernel's own requests
            assertTrue(router.requestsSent() >= 2, "requests " + router.requestsSent());
            final NeighbourTable neighbours = router.neighbours();
            assertEquals(GUEST_MAC, neighbours.mac(neighbours.find(guestIndex, NeighbourTable.IPV4_HI, 0x0A00_0102)));
            assertEquals(GUEST_MAC, neighbours.mac(neighbours.find(guestIndex, 0xFD00_0000_0000_0001L, 2)));
            assertTrue(neighbours.find(tapIndex, NeighbourTable.IPV4_HI, 0x0A01_0002) != NeighbourTable.NONE);
            assertTrue(neighbours.find(tapIndex, 0xFD00_0000_0001_0000L, 2) != NeighbourTable.NONE);
            assertEquals(router.offered(), router.forwarded() + router.local() + router.dropsTotal() +
                router.egressDrops() + router.pending(), "offered = forwarded + local + drops + egress + pending");
            assertEquals(0, router.egressDrops());
            assertEquals(3 + 2 + 3 + 2, guest.stack.icmpEchoes());
            assertEquals(0, guest.stack.udpEchoes(), "the TTL-1 datagram never arrived");
        }
    }

    private static String state(final Router router, final GuestPort guest)
    {
        final StringBuilder text = new StringBuilder(" router offered=" + router.offered() + " forwarded=" +
            router.forwarded() + " local=" + router.local() + " requests=" + router.requestsSent() + " replies=" +
            router.repliesSent() + " pending=" + router.pending() + " egressDrops=" + router.egressDrops());
        for (int reason = PortDropReason.FIRST; reason < PortDropReason.END; reason++)
        {
            if (router.drops(reason) > 0)
            {
                text.append(' ').append(PortDropReason.name(reason)).append('=').append(router.drops(reason));
            }
        }
        return text.append(" guest in=").append(guest.stack.framesIn()).append(" out=")
            .append(guest.stack.repliesOut()).toString();
    }

    private static byte[] bytes(final long hi, final long lo)
    {
        return java.nio.ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
    }

    /**
     * The guest as a router port: frames the router sends are queued (the router must not be re-entered from
     * {@code onFrame}) and handed to the stack in {@link #doWork}, whose replies go into the router. Test code.
     */
    static final class GuestPort implements Port, Agent
    {
        private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        GuestStack stack;

        @Override
        public String name()
        {
            return "guest";
        }

        @Override
        public int offloads()
        {
            return PortOffloads.NONE;
        }

        @Override
        public int mtu()
        {
            return 1500;
        }

        @Override
        public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            queue.add(copy);
            return 0;
        }

        @Override
        public int doWork()
        {
            int work = 0;
            byte[] frame;
            while ((frame = queue.poll()) != null)
            {
                stack.onFrame(new UnsafeBuffer(frame), 0, frame.length, FrameMetadata.of(0, 0, 0));
                work++;
            }
            return work;
        }

        @Override
        public String roleName()
        {
            return "guest";
        }
    }
}
