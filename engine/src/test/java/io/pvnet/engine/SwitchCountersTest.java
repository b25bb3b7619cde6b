package io.pvnet.engine;

import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
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

    @Test
    void shouldPublishOnTheAgentsIntervalAndOnClose()
    {
        final CountersManager manager = manager(512);
        final PortCounters tap = new PortCounters();
        final SwitchCounters counters = new SwitchCounters(manager);
        counters.port("port", "pvtap0", tap);
        tap.add(PortCounters.RX_FRAMES, 1);
        assertEquals(0, counters.doWork(), "a copy is not work (it must not keep an idle thread polling)");
        assertEquals(1L, read(manager).get("port pvtap0 rx-frames"), "the first duty cycle publishes");
        tap.add(PortCounters.RX_FRAMES, 2);
        assertEquals(0, counters.doWork());
        assertEquals(1L, read(manager).get("port pvtap0 rx-frames"), "not again within the interval");
        counters.onClose();
        assertEquals(3L, read(manager).get("port pvtap0 rx-frames"), "the last values stay readable");
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
