package io.pvnet.engine.xnb;

import io.pvnet.engine.vif.DropReason;
import io.pvnet.engine.vif.QueueCounters;
import io.pvnet.engine.vif.VifCounters;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PendingCountsTest
{
    private final CountersManager manager = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 18)), new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16)));
    private final VifCounters counters = new VifCounters(manager, 1, 0);

    @Test
    void shouldAddEveryKindThatMovedAndClearIt()
    {
        final PendingCounts pending = new PendingCounts();
        assertEquals(0, pending.flushTo(counters, false, null), "a new one has nothing to flush");
        pending.increment(VifCounters.TX_PACKETS);
        pending.add(VifCounters.TX_BYTES, 64);
        pending.increment(VifCounters.KICK_BACKOFFS); // the highest kind
        pending.increment(VifCounters.DROP_BASE + DropReason.RX_QUEUE_FULL);

        assertEquals(4, pending.flushTo(counters, false, null), "kinds visited");

        assertEquals(1, counters.get(VifCounters.TX_PACKETS));
        assertEquals(64, counters.get(VifCounters.TX_BYTES));
        assertEquals(1, counters.get(VifCounters.KICK_BACKOFFS));
        assertEquals(1, counters.drops(DropReason.RX_QUEUE_FULL));

        assertEquals(0, pending.flushTo(counters, true, null), "nothing moved: nothing visited");
        assertEquals(64, counters.get(VifCounters.TX_BYTES), "nothing moved: nothing added");

        pending.add(VifCounters.TX_BYTES, 1);
        assertEquals(1, pending.flushTo(counters, false, null));
        assertEquals(65, counters.get(VifCounters.TX_BYTES), "the flushed 64 were cleared, only the new 1 added");
        assertEquals(1, counters.get(VifCounters.TX_PACKETS), "a kind flushed before is not added again");
    }

    @Test
    void shouldMatchAPassOverEveryKindForRandomCounts()
    {
        final Random random = new Random(14);
        final long[] expected = new long[VifCounters.KIND_COUNT];
        final PendingCounts pending = new PendingCounts();
        for (int cycle = 0; cycle < 2_000; cycle++)
        {
            final int events = random.nextInt(6);
            for (int i = 0; i < events; i++)
            {
                final int kind = random.nextInt(VifCounters.KIND_COUNT);
                if (kind == VifCounters.HEARTBEAT || kind == VifCounters.BACKEND_STATE || counters.counter(kind) == null)
                {
                    continue; // gauges are set, not counted; kinds without a counter are not kept
                }
                final long delta = random.nextBoolean() ? 1 : random.nextInt(10_000);
                if (delta == 1)
                {
                    pending.increment(kind);
                }
                else
                {
                    pending.add(kind, delta);
                }
                expected[kind] += delta;
            }
            pending.flushTo(counters, (cycle & 1) == 0, null);
        }
        for (int kind = 0; kind < VifCounters.KIND_COUNT; kind++)
        {
            if (counters.counter(kind) != null)
            {
                assertEquals(expected[kind], counters.get(kind), VifCounters.kindName(kind));
            }
        }
    }

    @Test
    void shouldAddAQueuesCountsToItsOwnCountersToo()
    {
        final QueueCounters queue = new QueueCounters(manager, 1, 0, 1);
        final PendingCounts pending = new PendingCounts();
        pending.increment(VifCounters.RX_PACKETS);
        pending.add(VifCounters.RX_BYTES, 1500);
        pending.increment(VifCounters.DROP_BASE + DropReason.RX_STALLED);

        pending.flushTo(counters, false, queue);

        assertEquals(1, queue.get(VifCounters.RX_PACKETS));
        assertEquals(1500, queue.get(VifCounters.RX_BYTES));
        assertEquals(1, queue.get(QueueCounters.DROPS));
        assertEquals(1, counters.get(VifCounters.RX_PACKETS));
    }

    @Test
    void shouldVisitOnlyTheKindsThatMovedAlsoWithAtomicAddsAndAQueuesCounters()
    {
        final QueueCounters queue = new QueueCounters(manager, 1, 0, 1);
        final PendingCounts pending = new PendingCounts();
        pending.increment(VifCounters.TX_PACKETS);
        pending.add(VifCounters.TX_BYTES, 60);
        pending.increment(VifCounters.DROP_BASE + DropReason.OVERSIZE);

        assertEquals(3, pending.flushTo(counters, true, queue), "kinds visited");
        assertEquals(0, pending.flushTo(counters, true, queue), "nothing moved since");
        pending.increment(VifCounters.NOTIFY_SENT);
        assertEquals(1, pending.flushTo(counters, false, queue));
        assertEquals(1, queue.get(VifCounters.NOTIFY_SENT));
        assertEquals(1, queue.get(QueueCounters.DROPS));
    }

    @Test
    void shouldKeepEachQueuesCountsAndTheVifsTotalsExactAcrossSeveralQueues()
    {
        final int queues = 4;
        final Random random = new Random(3);
        final QueueCounters[] queueCounters = new QueueCounters[queues];
        final PendingCounts[] pending = new PendingCounts[queues];
        final long[][] expected = new long[queues][VifCounters.KIND_COUNT];
        for (int q = 0; q < queues; q++)
        {
            queueCounters[q] = new QueueCounters(manager, 1, 0, q);
            pending[q] = new PendingCounts();
        }
        for (int cycle = 0; cycle < 5_000; cycle++)
        {
            final int q = random.nextInt(queues);
            final int events = random.nextInt(5);
            final boolean[] moved = new boolean[VifCounters.KIND_COUNT];
            int kindsMoved = 0;
            for (int i = 0; i < events; i++)
            {
                final int kind = random.nextInt(VifCounters.KIND_COUNT);
                if (kind == VifCounters.HEARTBEAT || kind == VifCounters.BACKEND_STATE || counters.counter(kind) == null)
                {
                    continue;
                }
                final long delta = 1 + random.nextInt(3_000);
                pending[q].add(kind, delta);
                expected[q][kind] += delta;
                kindsMoved += moved[kind] ? 0 : 1;
                moved[kind] = true;
            }
            assertEquals(kindsMoved, pending[q].flushTo(counters, (cycle & 1) == 0, queueCounters[q]), "cycle " + cycle);
        }
        for (int kind = 0; kind < VifCounters.KIND_COUNT; kind++)
        {
            long total = 0;
            for (int q = 0; q < queues; q++)
            {
                total += expected[q][kind];
            }
            if (counters.counter(kind) != null)
            {
                assertEquals(total, counters.get(kind), "the vif's " + VifCounters.kindName(kind));
            }
        }
        for (int q = 0; q < queues; q++)
        {
            long drops = 0;
            for (int kind = VifCounters.DROP_BASE; kind < VifCounters.DROP_END; kind++)
            {
                drops += expected[q][kind];
            }
            assertEquals(drops, queueCounters[q].get(QueueCounters.DROPS), "q" + q + " drops");
            for (final int kind : QueueCounters.KINDS)
            {
                if (kind != QueueCounters.DROPS)
                {
                    assertEquals(expected[q][kind], queueCounters[q].get(kind), "q" + q + " " + VifCounters.kindName(kind));
                }
            }
        }
    }

    @Test
    void shouldCountEveryExceptionContainedOnQueueThreadsWhileTheVifFlushes() throws Exception
    {
        final XnbVif vif = new XnbVif(io.pvnet.engine.vif.VifConfig.of(1, 0), null, counters);
        vif.queueThreads = true;
        final int threads = 2;
        final int perThread = 200_000;
        final Throwable failure = new IllegalStateException("test: contained");
        final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        final Thread flusher = new Thread(() ->
        {
            while (!done.get())
            {
                vif.flushCounters(); // the vif's own thread, each duty cycle
            }
        });
        final Thread[] queues = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            queues[t] = new Thread(() ->
            {
                for (int i = 0; i < perThread; i++)
                {
                    vif.containException(failure, 0);
                }
            });
        }
        flusher.start();
        for (final Thread queue : queues)
        {
            queue.start();
        }
        for (final Thread queue : queues)
        {
            queue.join();
        }
        done.set(true);
        flusher.join();
        vif.flushCounters();

        assertEquals((long)threads * perThread, counters.drops(DropReason.BACKEND_EXCEPTION));
        assertEquals(1, counters.get(VifCounters.PROTOCOL_ERRORS), "one disabling, counted once");
    }
}
