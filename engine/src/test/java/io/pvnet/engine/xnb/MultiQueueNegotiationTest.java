package io.pvnet.engine.xnb;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.checksum.hash.FlowHash;
import io.pvnet.engine.frame.FlowHasher;
import io.pvnet.engine.netif.CtrlRequestDescriptor;
import io.pvnet.engine.netif.CtrlResponseDescriptor;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.vif.VifSections;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-queue negotiation through the store against a real backend, every key as Linux netback's {@code connect()} and
 * {@code connect_data_rings()} read them: good, missing and out of range; a failure leaves no queue attached and the
 * reason in the store and the counters. Then rx steering by the control ring's mapping table and by hash modulo.
 */
class MultiQueueNegotiationTest
{
    private MultiQueueFrontend front;

    @AfterEach
    void tearDown()
    {
        if (front != null)
        {
            front.close();
        }
    }

    private MultiQueueFrontend front(final int max, final int queues)
    {
        front = new MultiQueueFrontend(VifConfig.of(1, 0).withQueues(max), queues);
        return front;
    }

    private void assertConnectFailed(final String error)
    {
        assertEquals(XenbusState.CLOSING, front.xnb.state());
        assertEquals(error, front.backendKey("error"));
        assertEquals(1, front.counters.get(VifCounters.CONNECT_FAILED));
        assertEquals(0, front.xnb.queueCount(), "no queue connected");
        assertFalse(front.xnb.isControlRingAttached(), "the control ring is torn down with the queues");
        for (int q = 0; q < front.queues; q++)
        {
            // a request waiting on any ring is never answered: nothing was attached
            front.transmit(q, 0, 60, (byte)1);
        }
        front.xnb.doWork();
        for (int q = 0; q < front.queues; q++)
        {
            assertEquals(0, front.txResponses(q), "queue " + q + " answered");
        }
        assertEquals(0, front.sink.frames);
    }

    @Test
    void shouldAdvertiseTheMaximumQueuesAndSplitEventChannels()
    {
        front(4, 1);
        assertEquals("4", front.backendKey("multi-queue-max-queues"));
        assertEquals("1", front.backendKey("feature-split-event-channels"));
        front.close();
        front = new MultiQueueFrontend(VifConfig.of(1, 0), 1);
        assertEquals("1", front.backendKey("multi-queue-max-queues"), "pvnet's default is one queue");
    }

    @Test
    void shouldConnectOneQueueFromTheFlatKeysWhenTheCountIsAbsent()
    {
        front(4, 1).writeKeys();
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state());
        assertEquals(1, front.xnb.queueCount());
        front.transmit(0, 0, 60, (byte)7);
        front.xnb.doWork();
        assertEquals(1, front.txResponses(0));
        assertEquals(1, front.sink.frames);
    }

    @Test
    void shouldConnectEveryQueueFromItsOwnDirectory()
    {
        front(4, 4).writeKeys();
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state());
        assertNull(front.backendKey("error"));
        assertEquals(4, front.xnb.queueCount());
        for (int q = 0; q < 4; q++)
        {
            front.transmit(q, q, 60 + q, (byte)q);
            front.xnb.doWork();
            assertEquals(1, front.txResponses(q), "queue " + q + " answers on its own ring");
            assertEquals(60 + q, front.sink.lastLength);
            assertEquals((byte)q, front.sink.last[0]);
        }
        assertEquals(4, front.counters.get(VifCounters.TX_PACKETS));
        front.xnb.doWork();
        for (int q = 0; q < 4; q++)
        {
            assertEquals(1, front.xnb.queueCounters(q).get(VifCounters.TX_PACKETS), "queue " + q + "'s own counter");
        }
    }

    @Test
    void shouldConnectFewerQueuesThanTheMaximum()
    {
        front(8, 3).writeKeys();
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state());
        assertEquals(3, front.xnb.queueCount());
    }

    @Test
    void shouldRefuseMoreQueuesThanTheMaximumWithLinuxsMessage()
    {
        front(2, 3).writeKeys();
        front.connect();
        assertConnectFailed("connect: guest requested 3 queues, exceeding the maximum of 2.");
    }

    @Test
    void shouldRefuseZeroQueuesWithLinuxsFixedMessage()
    {
        front(4, 2).writeKeys();
        front.store.write(front.config.frontendDir() + "/multi-queue-num-queues", 0);
        front.connect();
        assertConnectFailed("connect: guest requested 0 queues, but valid range is 1 - 4.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"two", "-1", "4294967296", "2 ", ""})
    void shouldRefuseAQueueCountThatIsNotAnUnsignedNumber(final String value)
    {
        front(4, 2).writeKeys();
        front.store.write(front.config.frontendDir() + "/multi-queue-num-queues", value);
        front.connect();
        assertConnectFailed("connect: reading multi-queue-num-queues");
    }

    @Test
    void shouldReadOnlyTheQueueDirectoriesOnceThereAreSeveralQueues()
    {
        // the flat keys of queue 0 are there too, but with two queues only queue-0/ and queue-1/ count
        front(4, 2).writeKeys();
        final String dir = front.config.frontendDir();
        front.store.write(dir + "/tx-ring-ref", front.txRingRef[0]);
        front.store.write(dir + "/rx-ring-ref", front.rxRingRef[0]);
        front.store.write(dir + "/event-channel", 0);
        front.store.remove(dir + "/queue-1/tx-ring-ref");
        front.connect();
        assertConnectFailed("connect: reading device/vif/1/0/queue-1/ring-ref");
    }

    @Test
    void shouldFailTheWholeConnectWhenTheLastQueueLacksARingRef()
    {
        front(4, 4).writeKeys();
        front.writeControlRing();
        front.store.remove(front.config.frontendDir() + "/queue-3/rx-ring-ref");
        front.connect();
        assertConnectFailed("connect: reading device/vif/1/0/queue-3/ring-ref");
    }

    @Test
    void shouldFallBackToTheSingleEventChannelWhenOnlyOneSplitPortIsGiven()
    {
        front(4, 2).writeKeys();
        front.store.write(front.config.frontendDir() + "/queue-1/event-channel-tx", 6);
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state(), "event-channel-rx missing: event-channel used");
    }

    @Test
    void shouldFailWithoutAnyEventChannel()
    {
        front(4, 2).writeKeys();
        front.store.remove(front.config.frontendDir() + "/queue-1/event-channel");
        front.store.write(front.config.frontendDir() + "/queue-1/event-channel-rx", 2);
        front.connect();
        assertConnectFailed("connect: reading device/vif/1/0/queue-1/event-channel(-tx/rx)");
    }

    @Test
    void shouldNotifyEachDirectionOnItsOwnPortWithSplitEventChannels()
    {
        // one queue (flat keys) whose tx and rx directions use backend ports 0 and 2 of a four-port section
        front(2, 2);
        final String dir = front.config.frontendDir();
        front.store.write(dir + "/tx-ring-ref", front.txRingRef[0]);
        front.store.write(dir + "/rx-ring-ref", front.rxRingRef[0]);
        front.store.write(dir + "/event-channel-tx", 0);
        front.store.write(dir + "/event-channel-rx", 2);
        front.store.write(dir + "/event-channel", 3); // not read: the split pair is complete
        front.store.write(dir + "/request-rx-copy", 1);
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state());
        final org.agrona.concurrent.AtomicBuffer events = front.region.findSection(
            VifSections.eventsName(1, 0)).buffer();
        final int txWord = io.pvnet.ring.event.EventChannelDescriptor.eventWordOffset(1);
        final int rxWord = io.pvnet.ring.event.EventChannelDescriptor.eventWordOffset(3);
        front.transmit(0, 0, 60, (byte)1);
        front.xnb.doWork();
        assertEquals(1, front.txResponses(0));
        assertEquals(1, events.getIntVolatile(txWord), "the tx response is notified on the tx port's peer");
        assertEquals(0, events.getIntVolatile(rxWord));
        front.postRx(0);
        assertEquals(0, front.xnb.offer(tcpFrame(1, 2, 3), 0, 54, FrameMetadata.of(0, 0, 0)));
        front.xnb.doWork();
        assertEquals(1, front.rxResponses(0));
        assertEquals(1, events.getIntVolatile(rxWord), "the rx response is notified on the rx port's peer");
        assertEquals(1, events.getIntVolatile(txWord));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 100})
    void shouldRefuseAnEventChannelThatIsNotAFreeBackendPortOfTheVif(final int port)
    {
        // 1 and 3 are frontend ports, 4 lies beyond a two-queue section, 100 far beyond
        front(4, 2).writeKeys();
        front.store.write(front.config.frontendDir() + "/queue-1/event-channel", port);
        front.connect();
        assertConnectFailed("connect: mapping shared-frames " + front.txRingRef[1] + "/" + front.rxRingRef[1] +
            " port tx " + port + " rx " + port);
    }

    @Test
    void shouldRefuseTwoQueuesOnOnePortOrOneRingPage()
    {
        front(4, 2).writeKeys();
        front.store.write(front.config.frontendDir() + "/queue-1/event-channel", 0);
        front.connect();
        assertConnectFailed("connect: mapping shared-frames " + front.txRingRef[1] + "/" + front.rxRingRef[1] +
            " port tx 0 rx 0");

        front.close();
        front(4, 2).writeKeys();
        front.store.write(front.config.frontendDir() + "/queue-1/tx-ring-ref", front.txRingRef[0]);
        front.connect();
        assertConnectFailed("connect: mapping shared-frames " + front.txRingRef[0] + "/" + front.rxRingRef[1] +
            " port tx 2 rx 2");
    }

    @Test
    void shouldRefuseAnUngrantedRingOfOneQueue()
    {
        front(4, 2).writeKeys();
        front.store.write(front.config.frontendDir() + "/queue-1/rx-ring-ref", 999);
        front.connect();
        assertConnectFailed("connect: mapping shared-frames " + front.txRingRef[1] + "/999 port tx 2 rx 2");
    }

    @Test
    void shouldKeepLinuxsLimitsOnTheBackendsMaximum()
    {
        assertThrows(IllegalArgumentException.class, () -> VifConfig.of(1, 0).withQueues(0));
        final IllegalArgumentException tooMany =
            assertThrows(IllegalArgumentException.class, () -> VifConfig.of(1, 0).withQueues(17));
        assertEquals("queues=17 must be in 1..16", tooMany.getMessage());
        assertEquals(16, VifConfig.of(1, 0).withQueues(16).queues());
    }

    @Test
    void shouldReconnectWithAnotherQueueCount()
    {
        front(4, 4).writeKeys();
        front.connect();
        assertEquals(4, front.xnb.queueCount());
        front.store.writeState(front.config.frontendDir(), XenbusState.CLOSED);
        front.xnb.doWork();
        assertEquals(0, front.xnb.queueCount());
        front.store.writeState(front.config.frontendDir(), XenbusState.INITIALISING);
        front.xnb.doWork();
        front.store.removeTree(front.config.frontendDir() + "/queue-");
        front.store.remove(front.config.frontendDir() + "/multi-queue-num-queues");
        // one queue now, on queue 0's rings again (fresh indices)
        front.txRing[0].putInt(0, 0);
        front.txRing[0].putInt(8, 0);
        front.txReqProd[0] = 0;
        front.store.write(front.config.frontendDir() + "/tx-ring-ref", front.txRingRef[0]);
        front.store.write(front.config.frontendDir() + "/rx-ring-ref", front.rxRingRef[0]);
        front.store.write(front.config.frontendDir() + "/event-channel", 0);
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state());
        assertEquals(1, front.xnb.queueCount());
    }

    @Test
    void shouldSteerRxFramesByTheHashModuloTheQueuesWithoutAControlRing()
    {
        front(4, 4).writeKeys();
        front.connect();
        final FlowHasher hasher = new FlowHasher();
        final int[] expected = new int[4];
        for (int q = 0; q < 4; q++)
        {
            front.postRx(q);
        }
        for (int flow = 0; flow < 16; flow++)
        {
            final UnsafeBuffer frame = tcpFrame(1000 + flow, 80, 0);
            final long hash = hasher.hash(frame, 0, frame.capacity());
            final int queue = (int)((FlowHash.value(hash) & 0xFFFF_FFFFL) % 4);
            assertEquals(queue, front.xnb.rxQueueFor(frame, 0, frame.capacity()));
            if (expected[queue] < MultiQueueFrontend.GRANTED)
            {
                expected[queue]++;
                assertEquals(0, front.xnb.offer(frame, 0, frame.capacity(), FrameMetadata.of(0, 0, 0)));
            }
        }
        front.xnb.doWork();
        int used = 0;
        for (int q = 0; q < 4; q++)
        {
            assertEquals(expected[q], front.rxResponses(q), "queue " + q);
            used += expected[q] > 0 ? 1 : 0;
        }
        assertTrue(used >= 2, "16 flows spread over more than one queue");
        // a frame that is not IP goes to queue 0
        assertEquals(0, front.xnb.rxQueueFor(new UnsafeBuffer(new byte[60]), 0, 60));
    }

    @Test
    void shouldSteerRxFramesThroughTheMappingTableAndKeepTheOldTableOnABadUpdate()
    {
        front(4, 4).writeKeys();
        front.writeControlRing();
        front.connect();
        assertEquals(XenbusState.CONNECTED, front.xnb.state());
        front.controlData(ToeplitzHashVectors.MICROSOFT_KEY);
        assertEquals(0, front.control(CtrlRequestDescriptor.TYPE_SET_HASH_KEY, front.ctrlDataRef, 40, 0));
        assertEquals(0, front.control(CtrlRequestDescriptor.TYPE_SET_HASH_ALGORITHM, 1, 0, 0));
        assertEquals(0, front.control(CtrlRequestDescriptor.TYPE_SET_HASH_FLAGS, 0xF, 0, 0));

        // algorithm set, table empty: Toeplitz hash modulo the queues
        final UnsafeBuffer frame = tcpFrame(2794, 1766, 0);
        final int toeplitz = (int)(front.xnb.hash().hash(frame, parse(frame)) & 0xFFFF_FFFFL);
        assertEquals(Integer.remainderUnsigned(toeplitz, 4), front.xnb.rxQueueFor(frame, 0, frame.capacity()));

        // a table of 8 entries all naming queue 3 (entries valid against 4 queues)
        assertEquals(0, front.control(CtrlRequestDescriptor.TYPE_SET_HASH_MAPPING_SIZE, 8, 0, 0));
        front.controlData(3, 3, 3, 3, 3, 3, 3, 3);
        assertEquals(0, front.control(CtrlRequestDescriptor.TYPE_SET_HASH_MAPPING, front.ctrlDataRef, 8, 0));
        for (int flow = 0; flow < 8; flow++)
        {
            final UnsafeBuffer other = tcpFrame(3000 + flow, 80, 0);
            assertEquals(3, front.xnb.rxQueueFor(other, 0, other.capacity()), "the table names queue 3 only");
        }
        front.postRx(3);
        front.postRx(0);
        assertEquals(0, front.xnb.offer(frame, 0, frame.capacity(), FrameMetadata.of(0, 0, 0)));
        front.xnb.doWork();
        assertEquals(2, front.rxResponses(3), "delivered on queue 3 with its HASH extra");
        assertEquals(0, front.rxResponses(0));

        // entry 4 out of range for 4 queues: refused, the old table still steers
        front.controlData(0, 4);
        assertEquals(CtrlResponseDescriptor.STATUS_INVALID_PARAMETER,
            front.control(CtrlRequestDescriptor.TYPE_SET_HASH_MAPPING, front.ctrlDataRef, 2, 0));
        assertEquals(3, front.xnb.rxQueueFor(frame, 0, frame.capacity()));

        // a valid table: the entry the hash selects names queue 1
        final int entry = Integer.remainderUnsigned(toeplitz, 8);
        final int[] table = new int[8];
        table[entry] = 1;
        front.controlData(table);
        assertEquals(0, front.control(CtrlRequestDescriptor.TYPE_SET_HASH_MAPPING, front.ctrlDataRef, 8, 0));
        assertEquals(1, front.xnb.rxQueueFor(frame, 0, frame.capacity()));
        // a UDP frame (only its addresses are hashed) and a frame that is not IP (hash 0: entry 0)
        assertEquals(table[0], front.xnb.rxQueueFor(new UnsafeBuffer(new byte[60]), 0, 60));
    }

    private static io.pvnet.checksum.parse.PacketHeaders parse(final UnsafeBuffer frame)
    {
        final io.pvnet.checksum.parse.PacketHeaders headers = new io.pvnet.checksum.parse.PacketHeaders();
        io.pvnet.checksum.parse.HeaderParser.parse(frame, 0, frame.capacity(), headers);
        return headers;
    }

    /** An IPv4/TCP frame 66.9.149.187:sport -> 161.142.100.80:dport (Microsoft's RSS example hosts). */
    static UnsafeBuffer tcpFrame(final int sourcePort, final int destinationPort, final int sequence)
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 20);
        frame.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)40).putShort((short)1).putShort((short)0x4000)
            .put((byte)64).put((byte)6).putShort((short)0);
        frame.put(new byte[] {66, 9, (byte)149, (byte)187}).put(new byte[] {(byte)161, (byte)142, 100, 80});
        frame.putShort((short)sourcePort).putShort((short)destinationPort).putInt(sequence).putInt(0)
            .putShort((short)0x5010).putShort((short)8192).putInt(0);
        return new UnsafeBuffer(frame.array());
    }
}
