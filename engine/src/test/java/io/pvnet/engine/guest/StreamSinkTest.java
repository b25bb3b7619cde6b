package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest's port 5201 as the receiving end of a one-way stream ({@link StreamSource} handing it to its
 * {@link StreamSink}): a RECEIVE answered at once, datagrams counted by sequence, reports every N datagrams and every
 * interval, END answered with a final report, a new nonce restarting the count; and what a hostile or broken peer
 * sends (a truncated control datagram, an END of another nonce, datagrams never announced, a report for no stream)
 * counted and ignored. Also a reverse stream paced by the requester's reports.
 */
class StreamSinkTest
{
    private static final int GUEST_IP = 0x0A09_0001;
    private static final int PEER_IP = 0x0A09_0002;
    private static final long GUEST_MAC = 0x00163E000100L;
    private static final long PEER_MAC = 0x00163E000200L;
    private static final int PEER_PORT = 40_000;
    private static final int PAYLOAD = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    private long nowNs = 1_000_000_000L;
    /** The UDP payloads the guest sent (reports, streamed datagrams), copied. */
    private final List<UnsafeBuffer> sent = new ArrayList<>();
    private final GuestStack stack = new GuestStack(GUEST_MAC, GUEST_IP, 24, null, 1500, (b, o, l, m) -> 0);
    /** The vif's ring takes nothing while set. */
    private boolean ringFull;
    private final StreamSource source = new StreamSource(stack, (buffer, offset, length, metadata) ->
    {
        if (ringFull)
        {
            return 1;
        }
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length - PAYLOAD]);
        copy.putBytes(0, buffer, offset + PAYLOAD, length - PAYLOAD);
        sent.add(copy);
        return 0;
    }, () -> nowNs);
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final FrameBuilder builder = new FrameBuilder();

    @Test
    void shouldAnswerAReceiveAtOnceCountTheStreamAndReportEveryNDatagrams()
    {
        control(StreamControlDescriptor.RECEIVE, 77, 100, 0, 1_000_000L, 56);
        assertEquals(1, source.doWork());
        assertReport(last(), 77, 0, 0, false);

        for (int sequence = 0; sequence < 250; sequence++)
        {
            data(sequence, 64);
            if (sequence % 50 == 49)
            {
                source.doWork(); // the guest's duty cycle after a poll of 50
            }
        }
        assertEquals(3, sent.size(), "a report after 100 and after 200 datagrams (checked once per duty cycle)");
        assertReport(sent.get(1), 77, 100, 100, false);
        assertReport(sent.get(2), 77, 200, 200, false);
        source.doWork();
        assertEquals(3, sent.size(), "50 unreported: not yet");
        assertEquals(1_000_000L, source.nanosToNextDue(nowNs) + 0, "due when the interval passes");
        nowNs += 1_000_000L;
        source.doWork();
        assertReport(last(), 77, 250, 250, false);

        control(StreamControlDescriptor.END, 77, 0, 250, 0, 56);
        source.doWork();
        assertReport(last(), 77, 250, 250, true);
        assertEquals(250 * 64, StreamControlDescriptor.b(last(), 0), "payload bytes");
        data(250, 64);
        assertEquals(1, source.sink().unsolicited(), "an ended stream counts no more");
        control(StreamControlDescriptor.END, 77, 0, 250, 0, 56);
        source.doWork();
        assertReport(last(), 77, 250, 250, true); // a lost final report is asked for again
    }

    @Test
    void shouldReportGapsLateArrivalsAndDuplicatesAsCounted()
    {
        control(StreamControlDescriptor.RECEIVE, 5, 1000, 0, 1_000_000L, 56);
        for (final int sequence : new int[] {0, 1, 2, 6, 4, 4, 7})
        {
            data(sequence, 100);
        }
        nowNs += 2_000_000L;
        source.doWork();
        final UnsafeBuffer report = last();
        assertEquals(7, StreamControlDescriptor.a(report, 0), "received, the duplicate too");
        assertEquals(8, StreamControlDescriptor.c(report, 0), "expected: highest + 1");
        assertEquals(1, StreamControlDescriptor.d(report, 0), "4 came after 6");
        assertEquals(1, StreamControlDescriptor.e(report, 0), "4 twice");
        final StreamCounter counter = source.sink().counter(PEER_IP, PEER_PORT);
        assertNotNull(counter);
        assertEquals(2, counter.lost(), "3 and 5");
    }

    @Test
    void shouldRestartALiveCountFromItsBaseOnANewNonceThatNamesTheCountItReplaces()
    {
        control(StreamControlDescriptor.RECEIVE, 1, 1000, 0, 1_000_000L, 56);
        for (int sequence = 0; sequence < 40; sequence++)
        {
            data(sequence, 64);
        }
        source.doWork();
        restart(2, 1, 40); // the warm-up ended at 40: gen's RECEIVE names the count it replaces
        assertEquals(0, source.sink().refused(), "gen's own restart");
        data(39, 64); // a warm-up datagram arriving late: not in the new count
        data(40, 64);
        data(41, 64);
        source.doWork();
        assertReport(last(), 2, 2, 42, false);
        control(StreamControlDescriptor.RECEIVE, 2, 1000, 40, 1_000_000L, 56); // repeated: the count goes on
        source.doWork();
        assertReport(last(), 2, 2, 42, false);
    }

    @Test
    void shouldRefuseASpoofedRestartOfALiveCountAndCountItByReason()
    {
        control(StreamControlDescriptor.RECEIVE, 1, 1000, 0, 1_000_000L, 56);
        for (int sequence = 0; sequence < 10; sequence++)
        {
            data(sequence, 64);
        }
        source.doWork();
        control(StreamControlDescriptor.RECEIVE, 66, 1000, 0, 1_000_000L, 56); // spoofed: gen's address and port
        restart(67, 5, 0); // naming a count that is not the live one
        assertEquals(2, source.sink().refused(StreamSink.Refusal.LIVE_COUNT));
        assertEquals(10, source.sink().counter(PEER_IP, PEER_PORT).received(), "the live count goes on");
        nowNs += StreamSink.EVICT_IDLE_NS / 2;
        control(StreamControlDescriptor.KEEPALIVE, 1, 0, 10, 0, 56);
        control(StreamControlDescriptor.END, 1, 0, 10, 0, 56);
        source.doWork();
        assertReport(last(), 1, 10, 10, true);
        assertEquals(0, source.sink().malformed(), "the real sender's controls still name the count");
        assertEquals(1, source.sink().keepalives());
    }

    @Test
    void shouldTakeANewNonceWithoutProofOnceThePortsCountIdledTheEvictionTime()
    {
        control(StreamControlDescriptor.RECEIVE, 1, 1000, 0, 1_000_000L, 56);
        data(0, 64);
        source.doWork();
        nowNs += StreamSink.EVICT_IDLE_NS;
        control(StreamControlDescriptor.RECEIVE, 2, 1000, 0, 1_000_000L, 56); // gen restarted, its old count dead
        source.doWork();
        assertEquals(0, source.sink().refused());
        assertReport(last(), 2, 0, 0, false);
    }

    @Test
    void shouldRefuseEveryUnprovenRestartWhileGenKeepsItsFlowAliveAndTakeTheNextGensOnceItDied()
    {
        // gen's cadence (StreamFlows.service): a check every KEEPALIVE_NS, a KEEPALIVE for a flow that sent nothing
        // since the check before. At its worst the flow's last datagram goes just after a check: the next check sees
        // it, the one after sends the first keepalive; and that keepalive is lost: three periods of silence
        control(StreamControlDescriptor.RECEIVE, 7, 1000, 0, 1_000_000L, 56);
        source.doWork();
        long nextCheckNs = nowNs + StreamSink.KEEPALIVE_NS;
        nowNs += 1_000_000L;
        data(0, 64);
        source.doWork();
        long heardNs = nowNs;
        long longestSilenceNs = 0;
        boolean sentSinceCheck = true;
        int checks = 0;
        int spoofs = 0;
        final long endNs = nowNs + 5 * StreamSink.EVICT_IDLE_NS;
        while (nowNs - endNs < 0)
        {
            nowNs += 10_000_000L; // the receiver's 10 ms steps from 1 ms past the RECEIVE: each check lands 1 ms late
            // spoofed, no proof, just before the step's keepalive: at the end of each silence
            control(StreamControlDescriptor.RECEIVE, 100 + spoofs++, 1000, 0, 1_000_000L, 56);
            if (nowNs - nextCheckNs >= 0)
            {
                if (!sentSinceCheck && ++checks != 1) // the first keepalive is lost
                {
                    control(StreamControlDescriptor.KEEPALIVE, 7, 0, 1, 0, 56);
                    longestSilenceNs = Math.max(longestSilenceNs, nowNs - heardNs);
                    heardNs = nowNs;
                }
                sentSinceCheck = false;
                nextCheckNs += StreamSink.KEEPALIVE_NS;
            }
            source.doWork();
        }
        assertEquals(spoofs, source.sink().refused(StreamSink.Refusal.LIVE_COUNT), "every spoofed restart refused");
        assertEquals(3 * StreamSink.KEEPALIVE_NS, longestSilenceNs, "the worst silence (a lost keepalive) was driven");
        assertEquals(1, source.sink().counter(PEER_IP, PEER_PORT).received(), "the live count goes on");

        // gen is killed after its last keepalive; the next gen, a new process, cannot name the count's nonce: it asks
        // every RETRY_NS from at once, and is counted when the dead count idled four keepalive periods
        final long diedNs = heardNs;
        int asks = 0;
        for (long atNs = diedNs + StreamFlows.RETRY_NS; atNs - diedNs < StreamSink.EVICT_IDLE_NS;
            atNs += StreamFlows.RETRY_NS)
        {
            nowNs = atNs;
            control(StreamControlDescriptor.RECEIVE, 9, 1000, 0, 1_000_000L, 56);
            source.doWork();
            asks++;
        }
        assertEquals(4, asks, "the restarted gen is counted at its fifth ask, 1 s after its predecessor went silent");
        nowNs = diedNs + StreamSink.EVICT_IDLE_NS - 1;
        control(StreamControlDescriptor.RECEIVE, 99, 1000, 0, 1_000_000L, 56); // a spoofer, 1 ns too soon
        assertEquals(spoofs + asks + 1, source.sink().refused(StreamSink.Refusal.LIVE_COUNT));
        nowNs = diedNs + StreamSink.EVICT_IDLE_NS;
        control(StreamControlDescriptor.RECEIVE, 9, 1000, 0, 1_000_000L, 56);
        source.doWork();
        assertReport(last(), 9, 0, 0, false);
        assertEquals(spoofs + asks + 1, source.sink().refused(), "the next gen's ask taken");
        assertTrue(nowNs - diedNs < 2_000_000_000L - StreamFlows.RETRY_NS,
            "within the 2 s gen waits for its receiver (DatagramClient), a retry to spare");
    }

    @Test
    void shouldCountANewCountInItsPortsEndedSlotAsHeardWhenItStarts()
    {
        control(StreamControlDescriptor.RECEIVE, 1, 1000, 0, 1_000_000L, 56);
        data(0, 64);
        control(StreamControlDescriptor.END, 1, 0, 1, 0, 56);
        source.doWork(); // the final report went
        nowNs += 2 * StreamSink.EVICT_IDLE_NS;
        control(StreamControlDescriptor.RECEIVE, 2, 1000, 1, 1_000_000L, 56); // the next run, in the ended slot
        fillSlotsFromSpoofedSources(StreamSink.MAX_SINKS - 1);
        controlFrom(PEER_IP + 1000, PEER_PORT, StreamControlDescriptor.RECEIVE);
        assertEquals(0, source.sink().evicted(), "the new count, not yet sent a datagram, was heard when it started");
        assertEquals(1, source.sink().refused(StreamSink.Refusal.FULL));
        assertNotNull(source.sink().counter(PEER_IP, PEER_PORT));
    }

    @Test
    void shouldTakeALateKeepaliveOfAnEndedCountAsLateNotMalformed()
    {
        control(StreamControlDescriptor.RECEIVE, 1, 1000, 0, 1_000_000L, 56);
        data(0, 64);
        control(StreamControlDescriptor.END, 1, 0, 1, 0, 56);
        source.doWork();
        control(StreamControlDescriptor.KEEPALIVE, 1, 0, 1, 0, 56); // sent before the END, overtaken by it
        assertEquals(0, source.sink().malformed());
        assertEquals(1, source.sink().lateKeepalives());
        assertEquals(0, source.sink().keepalives(), "it renews nothing");
        control(StreamControlDescriptor.KEEPALIVE, 2, 0, 1, 0, 56); // another nonce: still malformed
        assertEquals(1, source.sink().malformed());
    }

    @Test
    void shouldCountAndIgnoreWhatAHostilePeerSends()
    {
        control(StreamControlDescriptor.RECEIVE, 9, 1000, 0, 1_000_000L, 56);
        source.doWork();
        final int reports = sent.size();
        control(StreamControlDescriptor.RECEIVE, 9, 1000, 0, 1_000_000L, 40); // truncated
        control(StreamControlDescriptor.END, 10, 0, 0, 0, 56); // another nonce
        control(StreamControlDescriptor.REPORT, 9, 0, 0, 0, 56); // a report for no stream of this guest
        control(99, 9, 0, 0, 0, 56); // no such type
        assertEquals(4, source.sink().malformed());
        sendFrom(PEER_PORT + 1, 0, 64); // never announced
        assertEquals(1, source.sink().unsolicited());
        data(0, 64);
        nowNs += 2_000_000L;
        source.doWork();
        assertEquals(reports + 1, sent.size());
        assertReport(last(), 9, 1, 1, false);
        assertEquals(0, source.activeStreams(), "nothing of it started a stream");
    }

    @Test
    void shouldCountADatagramWhoseIpv4TotalLengthEndsBeforeItsUdpHeaderAsMalformed()
    {
        builder.wrap(frame, 0).ethernet(GUEST_MAC, PEER_MAC).ipv4(PEER_IP, GUEST_IP).udp(PEER_PORT, StreamSource.PORT);
        GenPayloadDescriptor.fillPattern(frame, PAYLOAD, 64);
        final int length = builder.payloadLength(64).build();
        frame.putShort(EthernetHeader.LENGTH + 2, (short)Ipv4Header.MIN_LENGTH, java.nio.ByteOrder.BIG_ENDIAN);
        source.onFrame(frame, 0, length, new FrameMetadata());
        assertEquals(1, source.sink().malformed(), "a total length of the IPv4 header alone leaves no UDP payload");
        assertEquals(0, source.sink().unsolicited(), "not taken for data");
        assertEquals(0, source.sink().datagrams());
    }

    @Test
    void shouldPaceAReverseStreamByTheRequestersReports()
    {
        final int length = StreamRequestDescriptor.write(builder(StreamSource.PORT), PAYLOAD,
            StreamRequestDescriptor.START, 1000, 60_000_000_000L, 0, new int[] {64}, 32, 4242);
        source.onFrame(frame, 0, builder.payloadLength(length).build(), new FrameMetadata());
        for (int cycle = 0; cycle < 10; cycle++)
        {
            source.doWork();
        }
        assertEquals(32, sent.size(), "a window of 32 beyond the reports, however often it runs");
        assertEquals(StreamCredit.TIMEOUT_NS, source.nanosToNextDue(nowNs), "it waits for a report, not spinning");
        report(4242, 20, 20);
        source.doWork();
        assertEquals(52, sent.size());
        report(4241, 52, 52); // another nonce: ignored
        source.doWork();
        assertEquals(52, sent.size());
        assertEquals(1, source.reports());
    }

    @Test
    void shouldGiveTheSlotOfAStreamWithoutDataToANewStreamOnlyAfterItsIdleTime()
    {
        fillSlotsFromSpoofedSources(); // RECEIVEs from spoofed sources that never send data
        nowNs += StreamSink.EVICT_IDLE_NS / 2;
        control(StreamControlDescriptor.RECEIVE, 7, 1000, 0, 1_000_000L, 56);
        assertEquals(1, source.sink().refused(StreamSink.Refusal.FULL), "every slot claimed within the idle time");
        assertEquals(null, source.sink().counter(PEER_IP, PEER_PORT));
        nowNs += StreamSink.EVICT_IDLE_NS / 2;
        controlFrom(PEER_IP + 1, PEER_PORT, StreamControlDescriptor.RECEIVE); // a repeat does not renew a slot
        sendFrom(PEER_IP + 2, PEER_PORT, 0, 64); // data does
        source.doWork();
        control(StreamControlDescriptor.RECEIVE, 7, 1000, 0, 1_000_000L, 56);
        source.doWork();
        assertEquals(1, source.sink().evicted());
        assertReport(last(), 7, 0, 0, false);
        assertNotNull(source.sink().counter(PEER_IP, PEER_PORT), "the real stream is counted");
        assertNotNull(source.sink().counter(PEER_IP + 2, PEER_PORT), "the stream that sent data kept its slot");
        assertEquals(null, source.sink().counter(PEER_IP + 1, PEER_PORT), "the least recent data's slot went");
        data(0, 64);
        assertEquals(1, source.sink().counter(PEER_IP, PEER_PORT).received());
    }

    @Test
    void shouldKeepTheSlotOfAStreamSlowerThanTheIdleTimeWhileItsSenderSendsKeepalives()
    {
        control(StreamControlDescriptor.RECEIVE, 7, 1000, 0, 1_000_000L, 56); // gen -b 1: one datagram in 5 s here
        data(0, 64);
        source.doWork();
        fillSlotsFromSpoofedSources(StreamSink.MAX_SINKS - 1);
        int spoofed = StreamSink.MAX_SINKS;
        for (int step = 1; step <= 20; step++) // 5 s
        {
            nowNs += StreamSink.KEEPALIVE_NS;
            control(StreamControlDescriptor.KEEPALIVE, 7, 0, 1, 0, 56);
            controlFrom(PEER_IP + 1 + spoofed++, PEER_PORT, StreamControlDescriptor.RECEIVE); // a spoofed RECEIVE
            source.doWork();
            assertNotNull(source.sink().counter(PEER_IP, PEER_PORT), "the slow stream keeps its slot at " + step);
        }
        assertEquals(20, source.sink().keepalives());
        assertEquals(0, source.sink().malformed(), "every keepalive named the stream's count");
        assertTrue(source.sink().evicted() > 0, "the spoofed RECEIVEs' slots, idle a second, went to one another");
        data(1, 64);
        control(StreamControlDescriptor.END, 7, 0, 2, 0, 56);
        source.doWork();
        assertReport(last(), 7, 2, 2, true);
    }

    @Test
    void shouldRefuseANewStreamRatherThanEvictALiveOne()
    {
        control(StreamControlDescriptor.RECEIVE, 7, 1000, 0, 1_000_000L, 56);
        source.doWork();
        fillSlotsFromSpoofedSources(StreamSink.MAX_SINKS - 1);
        for (int step = 1; step <= 8; step++) // 2 s: every other stream sends data, this one keepalives
        {
            nowNs += StreamSink.KEEPALIVE_NS;
            control(StreamControlDescriptor.KEEPALIVE, 7, 0, 0, 0, 56);
            for (int i = 0; i < StreamSink.MAX_SINKS - 1; i++)
            {
                sendFrom(PEER_IP + 1 + i, PEER_PORT, step, 64);
            }
            source.doWork();
        }
        controlFrom(PEER_IP + 1000, PEER_PORT, StreamControlDescriptor.RECEIVE);
        assertEquals(1, source.sink().refused(StreamSink.Refusal.FULL), "every slot is live");
        assertEquals(0, source.sink().evicted());
        assertNotNull(source.sink().counter(PEER_IP, PEER_PORT));
        assertEquals(null, source.sink().counter(PEER_IP + 1000, PEER_PORT));
    }

    @Test
    void shouldRenewASlotOnlyOnAKeepaliveOfItsOwnCount()
    {
        control(StreamControlDescriptor.RECEIVE, 7, 1000, 0, 1_000_000L, 56);
        source.doWork();
        fillSlotsFromSpoofedSources(StreamSink.MAX_SINKS - 1);
        for (int step = 1; step <= 8; step++)
        {
            nowNs += StreamSink.KEEPALIVE_NS;
            control(StreamControlDescriptor.KEEPALIVE, 8, 0, 0, 0, 56); // another count's nonce: forged or stale
            control(StreamControlDescriptor.RECEIVE, 7, 1000, 0, 1_000_000L, 56); // a RECEIVE renews nothing
            for (int i = 0; i < StreamSink.MAX_SINKS - 1; i++)
            {
                sendFrom(PEER_IP + 1 + i, PEER_PORT, step, 64);
            }
            source.doWork();
        }
        assertEquals(8, source.sink().malformed());
        assertEquals(0, source.sink().keepalives());
        controlFrom(PEER_IP + 1000, PEER_PORT, StreamControlDescriptor.RECEIVE);
        assertEquals(1, source.sink().evicted(), "the stream not heard for 2 s gave its slot");
        assertEquals(null, source.sink().counter(PEER_IP, PEER_PORT));
        assertNotNull(source.sink().counter(PEER_IP + 1000, PEER_PORT));
    }

    @Test
    void shouldSendAnEndedStreamsFinalReportBeforeItsSlotGoesToAnother()
    {
        fillSlotsFromSpoofedSources();
        nowNs += StreamSink.EVICT_IDLE_NS / 2;
        sendFrom(PEER_IP + 1, PEER_PORT, 0, 64);
        source.doWork();
        ringFull = true;
        controlFrom(PEER_IP + 1, PEER_PORT, StreamControlDescriptor.END);
        source.doWork(); // the final report finds the ring full
        control(StreamControlDescriptor.RECEIVE, 7, 1000, 0, 1_000_000L, 56);
        assertEquals(1, source.sink().refused(StreamSink.Refusal.FULL), "the ended slot owes its final report");
        ringFull = false;
        source.doWork();
        assertReport(last(), 1, 1, 1, true);
        control(StreamControlDescriptor.RECEIVE, 7, 1000, 0, 1_000_000L, 56);
        source.doWork();
        assertReport(last(), 7, 0, 0, false);
        assertEquals(0, source.sink().evicted(), "an ended stream's slot, not a live one's");
    }

    @Test
    void shouldAnswerTheEndedCountsOwnReceiveWithItsFinalReportNotAFreshCount()
    {
        control(StreamControlDescriptor.RECEIVE, 9, 1000, 0, 1_000_000L, 56);
        for (int sequence = 0; sequence < 10; sequence++)
        {
            data(sequence, 64);
        }
        control(StreamControlDescriptor.END, 9, 0, 10, 0, 56);
        source.doWork();
        assertReport(last(), 9, 10, 10, true);
        final long controls = source.sink().controls();
        // gen resent its RECEIVE (unanswered, it thought) after the END went: same nonce
        control(StreamControlDescriptor.RECEIVE, 9, 1000, 0, 1_000_000L, 56);
        source.doWork();
        assertReport(last(), 9, 10, 10, true);
        control(StreamControlDescriptor.END, 9, 0, 10, 0, 56);
        source.doWork();
        assertReport(last(), 9, 10, 10, true); // not 0 received, everything lost
        assertEquals(controls + 2, source.sink().controls());
    }

    @Test
    void shouldCountOnlyAcceptedControlsAsTaken()
    {
        control(StreamControlDescriptor.END, 3, 0, 10, 0, 56); // for no stream
        assertEquals(0, source.sink().controls());
        assertEquals(1, source.sink().malformed());
        for (int i = 0; i < StreamSink.MAX_PER_SOURCE + 1; i++)
        {
            controlFrom(PEER_IP, PEER_PORT + i, StreamControlDescriptor.RECEIVE);
        }
        assertEquals(StreamSink.MAX_PER_SOURCE, source.sink().controls(), "the refused RECEIVE is not among them");
    }

    @Test
    void shouldSendTheFinalReportOfAPortsEndedCountBeforeItsNextCountStarts()
    {
        control(StreamControlDescriptor.RECEIVE, 1, 1000, 0, 1_000_000L, 56);
        data(0, 64);
        source.doWork();
        ringFull = true;
        control(StreamControlDescriptor.END, 1, 0, 1, 0, 56);
        control(StreamControlDescriptor.RECEIVE, 2, 1000, 1, 1_000_000L, 56);
        assertEquals(1, source.sink().refused(StreamSink.Refusal.FINAL_PENDING), "asked again later");
        ringFull = false;
        control(StreamControlDescriptor.RECEIVE, 2, 1000, 1, 1_000_000L, 56);
        assertReport(last(), 1, 1, 1, true);
        source.doWork();
        assertReport(last(), 2, 0, 1, false);
    }

    @Test
    void shouldNotCountEndedStreamsWhoseFinalReportWentTowardTheAddressesLimit()
    {
        for (int i = 0; i < StreamSink.MAX_PER_SOURCE; i++)
        {
            controlFrom(PEER_IP, PEER_PORT + i, StreamControlDescriptor.RECEIVE);
        }
        source.doWork(); // the answers
        controlFrom(PEER_IP, PEER_PORT, StreamControlDescriptor.END);
        source.doWork(); // its final report goes out
        assertEquals(StreamControlDescriptor.FLAG_FINAL, StreamControlDescriptor.flags(last(), 0));
        controlFrom(PEER_IP, PEER_PORT + StreamSink.MAX_PER_SOURCE, StreamControlDescriptor.RECEIVE);
        assertEquals(0, source.sink().refused(StreamSink.Refusal.SOURCE_LIMIT), "the ended stream holds nothing");
        assertNotNull(source.sink().counter(PEER_IP, PEER_PORT + StreamSink.MAX_PER_SOURCE));
    }

    @Test
    void shouldBoundTheStreamsOfOneAddressSoOnePeerLeavesRoomForOthers()
    {
        for (int i = 0; i < StreamSink.MAX_PER_SOURCE + 1; i++)
        {
            controlFrom(PEER_IP, PEER_PORT + i, StreamControlDescriptor.RECEIVE);
        }
        assertEquals(1, source.sink().refused(StreamSink.Refusal.SOURCE_LIMIT));
        assertEquals(StreamSink.MAX_PER_SOURCE, source.sink().activeSinks());
        controlFrom(PEER_IP + 1, PEER_PORT, StreamControlDescriptor.RECEIVE);
        assertEquals(StreamSink.MAX_PER_SOURCE + 1, source.sink().activeSinks(), "another address is counted");
    }

    @Test
    void shouldReportTheStreamsInterarrivalJitterFromTheSendTimesItsDatagramsCarry()
    {
        control(StreamControlDescriptor.RECEIVE, 3, 1000, 0, 1_000_000L, 56);
        source.doWork();
        assertEquals(StreamControlDescriptor.REPORT_LENGTH, last().capacity());
        assertEquals(-1, StreamControlDescriptor.jitterNs(last(), 0, last().capacity()), "no datagram yet");
        sendTimed(0, nowNs - 10_000); // transit 10 us
        nowNs += 50_000;
        sendTimed(1, nowNs - 11_600); // the same poll: it arrived with the first, its transit 50 us less
        source.doWork(); // the poll ended
        sendTimed(2, nowNs - 10_000); // the next poll: 10 us after its send
        sendTimed(3, nowNs - 11_600); // transit 11.6 us: D = 1600 ns
        nowNs += 2_000_000L;
        source.doWork();
        assertReport(last(), 3, 4, 4, false);
        // D: 48,400 (the first poll's second datagram: sent 38.4 us later, arrived with the first), 48,400, 1,600:
        // J = 3025, J += (48,400 - 3025) / 16 = 5860, J += (1600 - 5860) / 16 = 5594 (in A.8's sixteenths)
        assertEquals(5594, StreamControlDescriptor.jitterNs(last(), 0, last().capacity()), "RFC 3550 per poll");
        assertEquals(-1, StreamControlDescriptor.jitterNs(last(), 0, StreamControlDescriptor.LENGTH),
            "a 56-byte report (an older guest's) has none");
    }

    private void sendTimed(final int sequence, final long sendTimeNs)
    {
        builder.wrap(frame, 0).ethernet(GUEST_MAC, PEER_MAC).ipv4(PEER_IP, GUEST_IP).udp(PEER_PORT, StreamSource.PORT);
        GenPayloadDescriptor.fillPattern(frame, PAYLOAD, 64);
        GenPayloadDescriptor.writeProbe(frame, PAYLOAD, 64, sequence, sendTimeNs);
        source.onFrame(frame, 0, builder.payloadLength(64).build(), new FrameMetadata());
    }

    private void report(final int nonce, final long received, final long expected)
    {
        final int length = StreamControlDescriptor.write(builder(StreamSource.PORT), PAYLOAD,
            StreamControlDescriptor.REPORT, 0, nonce, 0, received, received * 64, expected, 0, 0);
        source.onFrame(frame, 0, builder.payloadLength(length).build(), new FrameMetadata());
    }

    /** gen's RECEIVE restarting the live count {@code replaced} as {@code nonce} from {@code base}. */
    private void restart(final int nonce, final int replaced, final long base)
    {
        StreamControlDescriptor.write(builder(StreamSource.PORT), PAYLOAD, StreamControlDescriptor.RECEIVE,
            StreamControlDescriptor.FLAG_REPLACES, nonce, 1000, base, 1_000_000L,
            StreamControlDescriptor.replacedNonce(replaced), 0, 0);
        source.onFrame(frame, 0, builder.payloadLength(StreamControlDescriptor.LENGTH).build(), new FrameMetadata());
    }

    private void control(final int type, final int nonce, final int every, final long a, final long b, final int length)
    {
        StreamControlDescriptor.write(builder(StreamSource.PORT), PAYLOAD, type, 0, nonce, every, a, b, 0, 0, 0);
        source.onFrame(frame, 0, builder.payloadLength(length).build(), new FrameMetadata());
    }

    /** A RECEIVE (nonce 1, base 0) or an END (nonce 1) from {@code ip:port}. */
    private void controlFrom(final int ip, final int port, final int type)
    {
        builder.wrap(frame, 0).ethernet(GUEST_MAC, PEER_MAC).ipv4(ip, GUEST_IP).udp(port, StreamSource.PORT);
        StreamControlDescriptor.write(frame, PAYLOAD, type, 0, 1, 1000, 0, 1_000_000L, 0, 0, 0);
        source.onFrame(frame, 0, builder.payloadLength(StreamControlDescriptor.LENGTH).build(), new FrameMetadata());
    }

    /** Every slot taken by RECEIVEs from MAX_SINKS addresses from {@code PEER_IP + 1} on, one each, answered. */
    private void fillSlotsFromSpoofedSources()
    {
        fillSlotsFromSpoofedSources(StreamSink.MAX_SINKS);
    }

    /** {@code count} slots taken by RECEIVEs from addresses {@code PEER_IP + 1} on, one each, answered: all full. */
    private void fillSlotsFromSpoofedSources(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            controlFrom(PEER_IP + 1 + i, PEER_PORT, StreamControlDescriptor.RECEIVE);
        }
        source.doWork();
        assertEquals(StreamSink.MAX_SINKS, source.sink().activeSinks());
        assertEquals(0, source.sink().refused());
    }

    private void data(final int sequence, final int size)
    {
        sendFrom(PEER_PORT, sequence, size);
    }

    private void sendFrom(final int port, final int sequence, final int size)
    {
        sendFrom(PEER_IP, port, sequence, size);
    }

    private void sendFrom(final int ip, final int port, final int sequence, final int size)
    {
        builder.wrap(frame, 0).ethernet(GUEST_MAC, PEER_MAC).ipv4(ip, GUEST_IP).udp(port, StreamSource.PORT);
        GenPayloadDescriptor.fillPattern(frame, PAYLOAD, size);
        GenPayloadDescriptor.writeProbe(frame, PAYLOAD, size, sequence, nowNs);
        source.onFrame(frame, 0, builder.payloadLength(size).build(), new FrameMetadata());
    }

    private UnsafeBuffer builder(final int port)
    {
        builder.wrap(frame, 0).ethernet(GUEST_MAC, PEER_MAC).ipv4(PEER_IP, GUEST_IP).udp(PEER_PORT, port);
        return frame;
    }

    private UnsafeBuffer last()
    {
        return sent.get(sent.size() - 1);
    }

    private static void assertReport(
        final UnsafeBuffer report, final int nonce, final long received, final long expected, final boolean last)
    {
        assertTrue(StreamControlDescriptor.isValid(report, 0, report.capacity()), "a report of the layout");
        assertEquals(StreamControlDescriptor.REPORT, StreamControlDescriptor.type(report, 0));
        assertEquals(nonce, StreamControlDescriptor.nonce(report, 0));
        assertEquals(received, StreamControlDescriptor.a(report, 0), "received");
        assertEquals(expected, StreamControlDescriptor.c(report, 0), "expected");
        assertEquals(last ? StreamControlDescriptor.FLAG_FINAL : 0, StreamControlDescriptor.flags(report, 0));
    }
}
