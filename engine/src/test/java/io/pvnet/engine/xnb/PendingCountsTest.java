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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingCountsTest
{
    private final CountersManager manager = new CountersManager(
        new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 18)), new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16)));
    private final VifCounters counters = new VifCounters(manager, 1, 0);

    @Test
    void shouldAddEveryKindThatMovedAndClearIt()
    {
        final PendingCounts pending = new PendingCounts();
        assertTrue(pending.isEmpty());
        pending.increment(VifCounters.TX_PACKETS);
        pending.add(VifCounters.TX_BYTES, 64);
        pending.increment(VifCounters.KICK_BACKOFFS); // the highest kind
        pending.increment(VifCounters.DROP_BASE + DropReason.RX_QUEUE_FULL);
        assertFalse(pending.isEmpty());

        pending.flushTo(counters, false, null);

        assertEquals(1, counters.get(VifCounters.TX_PACKETS));
        assertEquals(64, counters.get(VifCounters.TX_BYTES));
        assertEquals(1, counters.get(VifCounters.KICK_BACKOFFS));
        assertEquals(1, counters.drops(DropReason.RX_QUEUE_FULL));
        assertTrue(pending.isEmpty());
        assertEquals(0, pending.get(VifCounters.TX_BYTES));

        pending.flushTo(counters, true, null); // nothing moved: nothing added
        assertEquals(64, counters.get(VifCounters.TX_BYTES));
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
}
