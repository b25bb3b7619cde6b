package io.pvnet.engine;

import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SwitchCountersTest
{
    private static CountersManager manager(final int counters)
    {
        return new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(counters * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(counters * CountersReader.COUNTER_LENGTH)));
    }

    /** What another process sees: label to value, through its own reader over the same memory. */
    private static Map<String, Long> read(final CountersManager manager)
    {
        final CountersReader reader = new CountersReader(manager.metaDataBuffer(), manager.valuesBuffer());
        final Map<String, Long> values = new HashMap<>();
        reader.forEach((id, typeId, key, label) ->
        {
            if (typeId == SwitchCounters.TYPE_ID)
            {
                values.put(label, reader.getCounterValue(id));
            }
        });
        return values;
    }

    @Test
    void shouldPublishEveryPortSlotWithItsReasonSoOfferedEqualsSentPlusDropped()
    {
        final CountersManager manager = manager(512);
        final PortCounters bridgeView = new PortCounters();
        final SwitchCounters counters = new SwitchCounters(manager);
        counters.port("bridge", "vif1.0", bridgeView);
        assertEquals(0, counters.unpublished());

        for (int i = 0; i < 5; i++)
        {
            bridgeView.txSent(100);
        }
        bridgeView.txDropped(PortDropReason.MTU_EXCEEDED);
        bridgeView.txDropped(PortDropReason.MTU_EXCEEDED);
        bridgeView.txDropped(PortDropReason.OFFLOAD_FAILED);
        bridgeView.add(PortCounters.RX_FRAMES, 7);
        bridgeView.rxDropped(PortDropReason.RUNT);
        assertEquals(0L, read(manager).get("bridge vif1.0 tx-frames"), "not yet published");
        counters.publish();

        final Map<String, Long> seen = read(manager);
        assertEquals(5L, seen.get("bridge vif1.0 tx-frames"));
        assertEquals(500L, seen.get("bridge vif1.0 tx-bytes"));
        assertEquals(7L, seen.get("bridge vif1.0 rx-frames"));
        assertEquals(2L, seen.get("bridge vif1.0 tx-drop-" + PortDropReason.name(PortDropReason.MTU_EXCEEDED)));
        assertEquals(1L, seen.get("bridge vif1.0 rx-drop-" + PortDropReason.name(PortDropReason.RUNT)));
        long dropped = 0;
        for (final var entry : seen.entrySet())
        {
            if (entry.getKey().startsWith("bridge vif1.0 tx-drop-"))
            {
                dropped += entry.getValue();
            }
        }
        assertEquals(seen.get("bridge vif1.0 tx-offered"), seen.get("bridge vif1.0 tx-frames") + dropped,
            "offered = sent + dropped, per reason, in one published snapshot");
        assertEquals(7 + 2 * (PortDropReason.END - PortDropReason.FIRST), counters.published());
    }

    /** The switch thread's work as the copies see it: does {@code work} per duty cycle, records its close. */
    private static final class DutyCycle implements Agent
    {
        int work;
        boolean closed;

        @Override
        public int doWork()
        {
            return work;
        }

        @Override
        public void onClose()
        {
            closed = true;
        }

        @Override
        public String roleName()
        {
            return "bridge,vif-poller";
        }
    }

    @Test
    void shouldCopyTheIntervalAfterWorkAndEndTheSleepForItButCopyNothingWhileIdle() throws Exception
    {
        final CountersManager manager = manager(512);
        final CachedNanoClock clock = new CachedNanoClock();
        final PortCounters bridgeView = new PortCounters();
        final SwitchCounters counters = new SwitchCounters(manager, clock);
        counters.port("bridge", "vif1.0", bridgeView);
        final DutyCycle dutyCycle = new DutyCycle();
        final Agent agent = counters.publishingAfter(dutyCycle);
        assertEquals("bridge,vif-poller", agent.roleName());
        final long interval = SwitchCounters.PUBLISH_INTERVAL_NS;

        clock.advance(interval / 10);
        bridgeView.add(PortCounters.RX_FRAMES, 1);
        dutyCycle.work = 1;
        assertEquals(1, agent.doWork(), "the duty cycle's work, not the copy's");
        assertEquals(0L, read(manager).get("bridge vif1.0 rx-frames"), "one copy per interval at most");
        dutyCycle.work = 0;
        assertEquals(0, agent.doWork());
        assertEquals(interval - interval / 10, counters.nanosToNextDue(clock.nanoTime()),
            "the thread's sleep ends when the copy of that work is due");

        clock.advance(interval - interval / 10);
        assertEquals(0, agent.doWork(), "a copy is not work: it must not keep an idle thread polling");
        assertEquals(1L, read(manager).get("bridge vif1.0 rx-frames"), "copied once due, though this cycle was idle");
        assertEquals(Long.MAX_VALUE, counters.nanosToNextDue(clock.nanoTime()), "nothing done since: no copy due");

        for (int second = 0; second < 10; second++)
        {
            clock.advance(1_000_000_000L);
            agent.doWork();
        }
        assertEquals(Long.MAX_VALUE, counters.nanosToNextDue(clock.nanoTime()));
        bridgeView.add(PortCounters.RX_FRAMES, 2);
        dutyCycle.work = 2;
        assertEquals(2, agent.doWork());
        assertEquals(3L, read(manager).get("bridge vif1.0 rx-frames"), "work after a long idle spell: copied at once");

        bridgeView.add(PortCounters.RX_FRAMES, 4);
        dutyCycle.work = 0;
        clock.advance(interval);
        agent.doWork();
        assertEquals(3L, read(manager).get("bridge vif1.0 rx-frames"),
            "an idle switch copies nothing (every heap counter changes in a duty cycle that returns work)");

        agent.onClose();
        assertTrue(dutyCycle.closed);
        assertEquals(7L, read(manager).get("bridge vif1.0 rx-frames"), "the last values stay readable");
    }

    @Test
    void shouldCopyEveryIntervalWhileBusy() throws Exception
    {
        final CountersManager manager = manager(512);
        final CachedNanoClock clock = new CachedNanoClock();
        final PortCounters tap = new PortCounters();
        final SwitchCounters counters = new SwitchCounters(manager, clock);
        counters.port("port", "pvtap0", tap);
        final DutyCycle dutyCycle = new DutyCycle();
        dutyCycle.work = 1;
        final Agent agent = counters.publishingAfter(dutyCycle);
        long lastSeen = 0;
        int copies = 0;
        for (int ms = 1; ms <= 1_000; ms++)
        {
            clock.advance(1_000_000L);
            tap.add(PortCounters.RX_FRAMES, 1);
            agent.doWork();
            final long seen = read(manager).get("port pvtap0 rx-frames"); // one frame per ms: seen = ms when copied
            assertTrue(ms - seen < SwitchCounters.PUBLISH_INTERVAL_NS / 1_000_000L, "at " + ms + " ms: " + seen);
            if (seen != lastSeen)
            {
                copies++;
                lastSeen = seen;
            }
        }
        assertEquals(1_000 / (SwitchCounters.PUBLISH_INTERVAL_NS / 1_000_000L), copies);
    }

    @Test
    void shouldCountWhatDidNotFitInAFullCountersFileInsteadOfFailing()
    {
        final SwitchCounters counters = new SwitchCounters(manager(10));
        counters.port("bridge", "vif1.0", new PortCounters());
        assertEquals(10, counters.published());
        assertTrue(counters.unpublished() > 0);
        counters.publish();
    }
}
