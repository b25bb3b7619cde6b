package io.pvnet.engine.guest;

import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TrafficGenerator} on one vif against a {@link GuestStack} on another, through a bridge in one region: UDP
 * and ICMP echoes all answered and checked, a TCP transfer (segments and TSO frames) fully acknowledged by the
 * discard server and closed, and a closed port reported as a failure.
 */
class TrafficGeneratorTest
{
    private static final int SERVER_IP = 0x0A00_0001;
    private static final int CLIENT_IP = 0x0A00_0002;

    private Region region;
    private AgentRunner host;
    private VifFrontend serverVif;
    private VifFrontend clientVif;
    private GuestStack server;
    private GuestStack client;
    private TrafficGenerator generator;

    @BeforeEach
    void setUp()
    {
        region = Region.createAnonymous(VifRegion.regionBytes(2));
        final VifRegion vifs = VifRegion.create(region);
        final Bridge bridge = new Bridge(BridgeConfig.defaults(new ChecksumFrameOffload()));
        final VifBackend[] backends = new VifBackend[2];
        for (int i = 0; i < 2; i++)
        {
            final VifPort port = new VifPort("vif" + (i + 1));
            final int index = bridge.attach(port, PortVlan.access(1));
            port.backend(VifBackend.create(vifs, VifConfig.of(i + 1, 0), bridge.ingress(index),
                new ChecksumFrameOffload()));
            backends[i] = port.backend();
        }
        host = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, 100_000), Throwable::printStackTrace, null,
            new CompositeAgent(bridge, backends[0], backends[1]));
        AgentRunner.startOnThread(host);
        serverVif = VifFrontend.create(vifs, VifConfig.of(1, 0), backends[0].counters(), new ChecksumFrameOffload());
        clientVif = VifFrontend.create(vifs, VifConfig.of(2, 0), backends[1].counters(), new ChecksumFrameOffload());
        server = new GuestStack(VifConfig.of(1, 0).mac(), SERVER_IP, 24, null, 1500, transmitTo(serverVif));
        client = new GuestStack(VifConfig.of(2, 0).mac(), CLIENT_IP, 24, null, 1500, transmitTo(clientVif));
        generator = new TrafficGenerator(clientVif, client, new BothGuests());
        assertTrue(generator.awaitConnected(20_000_000_000L), "client vif connected");
        assertTrue(generator.resolve(SERVER_IP, 5_000_000_000L), "server resolved by ARP");
    }

    @AfterEach
    void tearDown()
    {
        host.close();
        region.close();
    }

    @Test
    void shouldCountEveryUdpAndIcmpEcho()
    {
        final TrafficGenerator.Report udp = generator.udp(GuestStack.ECHO_PORT, 1000, false, 500, Long.MAX_VALUE / 4, 0);
        assertTrue(udp.ok(), udp.failure());
        assertEquals(500, udp.frames());
        assertEquals(500, udp.echoes(), udp.toString());
        assertEquals(500_000, udp.echoBytes());
        assertEquals(0, udp.badEchoes());
        assertEquals(500, server.udpEchoes());

        final TrafficGenerator.Report icmp = generator.udp(0, 100, true, 300, Long.MAX_VALUE / 4, 0);
        assertEquals(300, icmp.frames());
        assertEquals(300, icmp.echoes(), icmp.toString());
        assertEquals(30_000, icmp.echoBytes());
        assertEquals(0, icmp.badEchoes());
        assertEquals(300, server.icmpEchoes());
    }

    @Test
    void shouldPaceIcmpEchoesAtTheGivenRate()
    {
        final TrafficGenerator.Report icmp = generator.udp(0, 1000, true, 100, Long.MAX_VALUE / 4, 2000);
        assertEquals(100, icmp.frames());
        assertEquals(100, icmp.echoes(), icmp.toString());
        assertTrue(icmp.elapsedNs() >= 49_000_000L, "100 frames at 2000/s take 50 ms: " + icmp);
    }

    @Test
    void shouldHaveEveryTcpByteAcknowledgedAndCloseTheConnection()
    {
        final TrafficGenerator.Report tcp = generator.tcp(GuestStack.DISCARD_PORT, 1400, false, 200, Long.MAX_VALUE / 4, 0);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(200 * 1400, tcp.acknowledgedBytes(), tcp.toString());
        assertEquals(200 * 1400, server.tcpPayloadBytes());
        assertTrue(tcp.closed(), tcp.toString());
    }

    @Test
    void shouldSendTsoFramesTheBackendSplitsForTheDiscardServer()
    {
        final TrafficGenerator.Report tcp = generator.tcp(GuestStack.DISCARD_PORT, 30_000, true, 20, Long.MAX_VALUE / 4, 0);
        assertTrue(tcp.ok(), tcp.failure());
        assertEquals(20 * 30_000, tcp.acknowledgedBytes(), tcp.toString());
        assertEquals(20 * 30_000, server.tcpPayloadBytes());
    }

    @Test
    void shouldReportAResetConnection()
    {
        final TrafficGenerator.Report tcp = generator.tcp(GuestStack.DISCARD_PORT + 1, 100, false, 1, 1_000_000_000L, 0);
        assertFalse(tcp.ok());
        assertTrue(tcp.failure().startsWith("no SYN-ACK from 10.0.0.1:10"), tcp.failure());
    }

    /** The generator's poller drives both guests (this test runs them on one thread). */
    private final class BothGuests implements Agent
    {
        @Override
        public int doWork()
        {
            int work = serverVif.doWork();
            work += serverVif.poll(server, 64);
            serverVif.flush();
            work += clientVif.doWork();
            work += clientVif.poll(client, 64);
            clientVif.flush();
            return work;
        }

        @Override
        public String roleName()
        {
            return "guests";
        }
    }

    private static FrameSink transmitTo(final VifFrontend frontend)
    {
        return (buffer, offset, length, metadata) ->
            frontend.transmit(buffer, offset, length, metadata) == VifFrontend.OK ? 0 : 1;
    }
}
