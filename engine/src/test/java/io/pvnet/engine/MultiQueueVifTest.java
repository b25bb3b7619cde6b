package io.pvnet.engine;

import io.pvnet.engine.bridge.Crossover;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Multi-queue vifs end to end, netfront to netfront: the queue count both halves settle on, every flow's frames in
 * order while the flows spread over the queues, and queues running on threads of their own.
 */
class MultiQueueVifTest
{
    private static final int FLOWS = 8;

    @Test
    void shouldSettleOnTheSmallerOfWhatBothHalvesOffer()
    {
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(3, 4)))
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final VifConfig[] backendConfigs = {VifConfig.of(1, 0), VifConfig.of(2, 0).withQueues(2),
                VifConfig.of(3, 0).withQueues(4)};
            final VifConfig[] frontendConfigs = {VifConfig.of(1, 0).withQueues(4), VifConfig.of(2, 0).withQueues(4),
                VifConfig.of(3, 0).withQueues(3)};
            final int[] expected = {1, 2, 3};
            final VifBackend[] backends = new VifBackend[3];
            final VifFrontend[] frontends = new VifFrontend[3];
            for (int v = 0; v < 3; v++)
            {
                backends[v] = VifBackend.create(vifRegion, backendConfigs[v],
                    (buffer, offset, length, metadata) -> 0, NoFrameOffload.INSTANCE);
                frontends[v] = VifFrontend.create(vifRegion, frontendConfigs[v], null, NoFrameOffload.INSTANCE);
            }
            for (int round = 0; round < 10; round++)
            {
                for (int v = 0; v < 3; v++)
                {
                    frontends[v].doWork();
                    backends[v].doWork();
                }
            }
            for (int v = 0; v < 3; v++)
            {
                assertTrue(backends[v].isConnected(), "vif " + v);
                assertEquals(expected[v], frontends[v].queueCount(), "vif " + v);
                assertEquals(expected[v], backends[v].queueCount(), "vif " + v);
                final String count = vifRegion.store().read(frontendConfigs[v].frontendDir() + "/multi-queue-num-queues");
                assertEquals(String.valueOf(expected[v]), count, "written because the backend offers the key");
            }
            assertNull(vifRegion.store().read("device/vif/1/0/queue-0/tx-ring-ref"), "one queue: flat keys");
            assertTrue(vifRegion.store().read("device/vif/1/0/tx-ring-ref") != null);
            assertNull(vifRegion.store().read("device/vif/2/0/tx-ring-ref"), "two queues: no flat keys");
            assertTrue(vifRegion.store().read("device/vif/2/0/queue-1/tx-ring-ref") != null);
        }
    }

    @Test
    void shouldKeepEveryFlowInOrderWhileFlowsSpreadOverTheQueues()
    {
        final VifConfig a = VifConfig.of(1, 0).withQueues(4);
        final VifConfig b = VifConfig.of(2, 0).withQueues(4);
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(2, 4)))
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final VifBackend[] backends = new VifBackend[2];
            final Crossover cable = Crossover.forTwoVifs("vif1.0", "vif2.0");
            backends[0] = cable.plug(0, VifBackend.create(vifRegion, a, cable.ingress(0), NoFrameOffload.INSTANCE));
            backends[1] = cable.plug(1, VifBackend.create(vifRegion, b, cable.ingress(1), NoFrameOffload.INSTANCE));
            final VifFrontend sender = VifFrontend.create(vifRegion, a, backends[0].counters(), NoFrameOffload.INSTANCE);
            final VifFrontend receiver =
                VifFrontend.create(vifRegion, b, backends[1].counters(), NoFrameOffload.INSTANCE);
            final FlowOrder order = new FlowOrder();
            for (int round = 0; round < 10; round++)
            {
                sender.doWork();
                receiver.doWork();
                backends[0].doWork();
                backends[1].doWork();
            }
            assertEquals(4, sender.queueCount());
            assertEquals(4, receiver.queueCount());

            final int perFlow = 500;
            final int[] sent = new int[FLOWS];
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(200));
            final boolean[] txQueuesUsed = new boolean[4];
            int total = 0;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((total < FLOWS * perFlow || order.received < FLOWS * perFlow) && System.nanoTime() < deadline)
            {
                for (int flow = 0; flow < FLOWS && total < FLOWS * perFlow; flow++)
                {
                    if (sent[flow] == perFlow)
                    {
                        continue;
                    }
                    writeTcp(frame, 1000 + flow, 80, sent[flow], 60 + (sent[flow] % 100));
                    txQueuesUsed[sender.txQueueFor(frame, 0, frame.capacity())] = true;
                    if (sender.transmit(frame, 0, 54 + 6 + (sent[flow] % 100)) == VifFrontend.OK)
                    {
                        sent[flow]++;
                        total++;
                    }
                }
                sender.flush();
                sender.doWork();
                backends[0].doWork();
                backends[1].doWork();
                receiver.doWork();
                receiver.poll(order, 1024);
            }
            assertEquals(FLOWS * perFlow, order.received, "every frame arrived");
            assertEquals(0, order.outOfOrder, "no flow reordered");
            int queuesUsed = 0;
            long perQueueTotal = 0;
            for (int q = 0; q < 4; q++)
            {
                final long packets = backends[0].queueCounters(q).get(VifCounters.TX_PACKETS);
                perQueueTotal += packets;
                queuesUsed += packets > 0 ? 1 : 0;
                assertEquals(txQueuesUsed[q], packets > 0, "queue " + q + " carried what the flow hash chose");
            }
            assertTrue(queuesUsed >= 2, "8 flows over 4 queues used " + queuesUsed);
            assertEquals(FLOWS * perFlow, perQueueTotal, "per-queue counters add up to the vif's");
            assertEquals(FLOWS * perFlow, backends[0].counters().get(VifCounters.TX_PACKETS));
            assertEquals(FLOWS * perFlow, backends[1].counters().get(VifCounters.RX_PACKETS));
        }
    }

    @Test
    void shouldServeEachQueueOnAThreadOfItsOwn() throws Exception
    {
        final VifConfig a = VifConfig.of(1, 0).withQueues(2);
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(2, 2)))
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final ConcurrentFlowOrder fromGuest = new ConcurrentFlowOrder();
            final VifBackend backend = VifBackend.create(vifRegion, a, fromGuest, NoFrameOffload.INSTANCE);
            final Agent[] queueAgents = backend.queueAgents();
            final VifFrontend guest = VifFrontend.create(vifRegion, a, backend.counters(), NoFrameOffload.INSTANCE);
            final AgentRunner[] runners = new AgentRunner[queueAgents.length + 1];
            runners[0] = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null, backend);
            for (int q = 0; q < queueAgents.length; q++)
            {
                runners[q + 1] = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                    queueAgents[q]);
            }
            for (final AgentRunner runner : runners)
            {
                AgentRunner.startOnThread(runner);
            }
            try
            {
                final long connectDeadline = System.nanoTime() + 10_000_000_000L;
                while (!(guest.isConnected() && backend.isConnected()) && System.nanoTime() < connectDeadline)
                {
                    guest.doWork();
                    Thread.yield();
                }
                assertEquals(2, guest.queueCount());
                final int perFlow = 2_000;
                final int[] sent = new int[FLOWS];
                final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(200));
                final FlowOrder toGuest = new FlowOrder();
                int offered = 0;
                final long deadline = System.nanoTime() + 30_000_000_000L;
                while ((fromGuest.received() < FLOWS * perFlow || toGuest.received < FLOWS * perFlow / 4) &&
                    System.nanoTime() < deadline)
                {
                    for (int flow = 0; flow < FLOWS; flow++)
                    {
                        if (sent[flow] < perFlow)
                        {
                            writeTcp(frame, 2000 + flow, 80, sent[flow], 100);
                            if (guest.transmit(frame, 0, 100) == VifFrontend.OK)
                            {
                                sent[flow]++;
                            }
                        }
                    }
                    guest.flush();
                    guest.doWork();
                    // host to guest: the test thread is the rx queues' one producer; queue threads deliver
                    if (offered < FLOWS * perFlow / 4 && backend.queueCount() == 2)
                    {
                        final int flow = offered % FLOWS;
                        writeTcp(frame, 3000 + flow, 80, offered / FLOWS, 100);
                        if (backend.offer(frame, 0, 100, FrameMetadata.of(0, 0, 0)) == 0)
                        {
                            offered++;
                        }
                    }
                    guest.poll(toGuest, 256);
                }
                assertEquals(FLOWS * perFlow, fromGuest.received(), "every frame from the guest");
                assertEquals(0, fromGuest.outOfOrder(), "no flow reordered by the queue threads");
                assertEquals(FLOWS * perFlow / 4, toGuest.received, "every frame to the guest");
                assertEquals(0, toGuest.outOfOrder);
                assertTrue(backend.queueCounters(0).get(VifCounters.TX_PACKETS) > 0 &&
                    backend.queueCounters(1).get(VifCounters.TX_PACKETS) > 0, "both queues carried traffic");

                guest.close();
                final long closeDeadline = System.nanoTime() + 10_000_000_000L;
                while (guest.state() != XenbusState.CLOSED && System.nanoTime() < closeDeadline)
                {
                    guest.doWork();
                    Thread.yield();
                }
                assertEquals(XenbusState.CLOSED, guest.state(), "grants revoked once the queue threads let go");
            }
            finally
            {
                for (final AgentRunner runner : runners)
                {
                    runner.close();
                }
            }
            assertEquals(FLOWS * 2_000, backend.counters().get(VifCounters.TX_PACKETS),
                "atomic adds from two queue threads lose nothing");
        }
    }

    @Test
    void shouldWakeAGuestSleepingOnSeveralQueuesForAFrameOnAnyOfThem()
    {
        final VifConfig config = VifConfig.of(1, 0).withQueues(2);
        try (Region region = Region.createAnonymous(VifRegion.regionBytes(1, 2)))
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final VifBackend backend = VifBackend.create(vifRegion, config,
                (buffer, offset, length, metadata) -> 0, NoFrameOffload.INSTANCE);
            final VifFrontend guest = VifFrontend.create(vifRegion, config, backend.counters(), NoFrameOffload.INSTANCE);
            for (int round = 0; round < 10; round++)
            {
                guest.doWork();
                backend.doWork();
            }
            assertEquals(2, guest.queueCount());
            final FlowOrder received = new FlowOrder();

            // nothing arrives: the guest really sleeps, a kernel sleep slice of up to 50 ms, not a 1 ms park
            guest.prepareToSleep();
            assertEquals(0, guest.poll(received, 16));
            final long quietStart = System.nanoTime();
            guest.sleep(200_000_000L);
            assertTrue(System.nanoTime() - quietStart >= 30_000_000L, "slept through a quiet slice");

            // a frame on each queue in turn wakes it
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(100));
            final io.pvnet.engine.frame.FlowHasher hasher = new io.pvnet.engine.frame.FlowHasher();
            for (int queue = 0; queue < 2; queue++)
            {
                int port = 5000;
                writeTcp(frame, port, 80, 0, 100);
                while (hasher.queueFor(frame, 0, 100, 2) != queue)
                {
                    writeTcp(frame, ++port, 80, 0, 100);
                }
                final int before = received.received;
                // the guest goes to sleep (ports armed, final check empty), then the frame is delivered on the queue:
                // its notification raises the queue's bit, so the sleep returns at once instead of after a 50 ms slice
                guest.prepareToSleep();
                assertEquals(0, guest.poll(received, 16));
                assertEquals(0, backend.offer(frame, 0, 100, FrameMetadata.of(0, 0, 0)));
                backend.doWork();
                final long start = System.nanoTime();
                guest.sleep(5_000_000_000L);
                final long slept = System.nanoTime() - start;
                assertTrue(slept < 25_000_000L, "woken by queue " + queue + " at once, slept " + slept / 1e6 + " ms");
                assertEquals(1, guest.poll(received, 16));
                assertEquals(before + 1, received.received, "the frame on queue " + queue);
                assertEquals(1, backend.queueCounters(queue).get(VifCounters.RX_PACKETS), "delivered on queue " + queue);
            }
        }
    }

    /** Writes an IPv4/TCP frame 10.0.0.1:sport -> 10.0.0.2:dport carrying {@code sequence} as its TCP sequence. */
    static void writeTcp(
        final UnsafeBuffer frame, final int sourcePort, final int destinationPort, final int sequence, final int length)
    {
        frame.setMemory(0, frame.capacity(), (byte)0);
        frame.putLong(0, 0x0200000000020200L, ByteOrder.BIG_ENDIAN); // dst 02:00:00:00:00:02, src 02:00..
        frame.putInt(8, 0x00000001, ByteOrder.BIG_ENDIAN);
        frame.putShort(12, (short)0x0800, ByteOrder.BIG_ENDIAN);
        frame.putByte(14, (byte)0x45);
        frame.putShort(16, (short)(length - 14), ByteOrder.BIG_ENDIAN);
        frame.putByte(22, (byte)64);
        frame.putByte(23, (byte)6);
        frame.putInt(26, 0x0A000001, ByteOrder.BIG_ENDIAN);
        frame.putInt(30, 0x0A000002, ByteOrder.BIG_ENDIAN);
        frame.putShort(34, (short)sourcePort, ByteOrder.BIG_ENDIAN);
        frame.putShort(36, (short)destinationPort, ByteOrder.BIG_ENDIAN);
        frame.putInt(38, sequence, ByteOrder.BIG_ENDIAN);
        frame.putByte(46, (byte)0x50);
    }

    /** Checks each flow's TCP sequence numbers arrive 0, 1, 2, ... (flow = source port). */
    static final class FlowOrder implements FrameHandler
    {
        final int[] next = new int[65536];
        int received;
        int outOfOrder;

        @Override
        public void onFrame(
            final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            final int port = buffer.getShort(offset + 34, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            final int sequence = buffer.getInt(offset + 38, ByteOrder.BIG_ENDIAN);
            if (sequence != next[port])
            {
                outOfOrder++;
            }
            next[port] = sequence + 1;
            received++;
        }
    }

    /** As {@link FlowOrder}, as a sink called by several queue threads. */
    static final class ConcurrentFlowOrder implements FrameSink
    {
        private final FlowOrder order = new FlowOrder();

        @Override
        public synchronized int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            order.onFrame(buffer, offset, length, metadata);
            return 0;
        }

        synchronized int received()
        {
            return order.received;
        }

        synchronized int outOfOrder()
        {
            return order.outOfOrder;
        }
    }
}
