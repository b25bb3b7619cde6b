package io.pvnet.engine.guest;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An echo server whose tx ring fills (its backend takes its replies at a {@code rate} far below the request flood):
 * with {@link AnsweringPoll} it loses no echo it took (no {@code reply-failure}), every request is answered or counted
 * as a drop by the backend with its reason, and the client sees every answer; taking every request instead (a plain
 * poll) loses replies inside the guest, where no host counter sees them.
 */
class AnsweringPollTest
{
    private static final int REQUESTS = 3_000;

    private BridgedVifPair vifs;
    private VifBackend serverBackend;
    private VifFrontend serverVif;
    private VifFrontend clientVif;
    private GuestStack server;
    private TrafficGenerator generator;
    private final AnsweringPoll answering = new AnsweringPoll();
    private boolean backpressure;

    @BeforeEach
    void setUp()
    {
        // the server's replies leave at about 10,000 a second (1,060 B per ms): a flood fills its tx ring
        vifs = new BridgedVifPair(Map.of("backend/vif/1/0/rate", "1060,1000"));
        serverBackend = vifs.serverBackend;
        serverVif = vifs.serverVif;
        clientVif = vifs.clientVif;
        server = new GuestStack(VifConfig.of(1, 0).mac(), BridgedVifPair.SERVER_IP, 24, null, 1500,
            BridgedVifPair.transmitTo(serverVif));
        final GuestStack client = new GuestStack(VifConfig.of(2, 0).mac(), BridgedVifPair.CLIENT_IP, 24, null, 1500,
            BridgedVifPair.transmitTo(clientVif));
        generator = new TrafficGenerator(clientVif, client, new BothGuests(client));
        assertTrue(generator.awaitConnected(20_000_000_000L), "client vif connected");
        assertTrue(generator.resolve(BridgedVifPair.SERVER_IP, 5_000_000_000L), "server resolved by ARP");
    }

    @AfterEach
    void tearDown()
    {
        vifs.close();
    }

    @Test
    void shouldAnswerEveryRequestItTakesWhenItsTxRingFills()
    {
        backpressure = true;
        final TrafficReport report = flood();
        final long drops = backendDrops();
        final String state = report + " server " + server.udpEchoes() + " echoes, " + server.replyFailures() +
            " reply failures, held back " + answering.heldBack() + ", backend drops " + drops + ", rate-limited " +
            serverBackend.counters().get(VifCounters.RATE_LIMITED);
        System.out.println("backpressure: " + state);
        assertTrue(serverBackend.counters().get(VifCounters.RATE_LIMITED) > 0, "the tx ring was held back: " + state);
        assertTrue(answering.heldBack() > 0, "the server stopped taking requests while it could not answer: " + state);
        assertEquals(0, server.replyFailures(), "no reply lost inside the guest: " + state);
        assertEquals(server.udpEchoes(), report.echoes(), "every request taken was answered and arrived: " + state);
        assertEquals(REQUESTS, report.echoes() + drops, "sent = answered + counted drops: " + state);
        assertEquals(0, report.badEchoes(), state);
    }

    @Test
    void shouldLoseRepliesInsideTheGuestWhenItTakesEveryRequest()
    {
        backpressure = false;
        final TrafficReport report = flood();
        System.out.println("plain poll: " + report + " " + server.replyFailures() + " reply failures");
        assertTrue(server.replyFailures() > 0, "a plain poll takes requests it cannot answer: " + report + " " +
            server.replyFailures() + " reply failures");
        assertEquals(REQUESTS, report.echoes() + server.replyFailures() + backendDrops(), report.toString());
    }

    private TrafficReport flood()
    {
        final TrafficReport report = generator.datagrams(new DatagramSpec(false, GuestStack.ECHO_PORT, SizeMix.of(64),
            1, REQUESTS, 20_000_000_000L, 0, DatagramSpec.Direction.FORWARD, 0, 0, 0), GenListener.NONE); // a flood
        assertTrue(report.ok(), report.failure());
        assertEquals(REQUESTS, report.frames(), report.toString());
        return report;
    }

    private long backendDrops()
    {
        long drops = 0;
        for (int kind = VifCounters.DROP_BASE; kind < VifCounters.DROP_END; kind++)
        {
            drops += serverBackend.counters().get(kind);
        }
        return drops;
    }

    /** Both guests on the generator's thread: the server with or without backpressure, the client. */
    private final class BothGuests implements Agent
    {
        private final GuestStack client;

        BothGuests(final GuestStack client)
        {
            this.client = client;
        }

        @Override
        public int doWork()
        {
            int work = serverVif.doWork();
            work += backpressure ? answering.poll(serverVif, server, 64) : serverVif.poll(server, 64);
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
}
