package io.pvnet.engine.port;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.bridge.RecordingPort;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.router.Router;
import io.pvnet.engine.router.RouterConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PortTableTest
{
    private final List<int[]> seen = new ArrayList<>();
    private final PortIngress.Fabric fabric =
        (port, buffer, offset, length, metadata) ->
        {
            seen.add(new int[] {port, offset, length, metadata.flags(), metadata.gsoSize(), metadata.gsoType()});
            return port == 1 ? PortDropReason.RUNT : 0;
        };

    @Test
    void shouldGiveDenseIndicesInAttachOrderWithCountersAndIngressPerPort()
    {
        final PortTable table = new PortTable(fabric, 4);
        final RecordingPort a = new RecordingPort("a", 0, 1500);
        final RecordingPort b = new RecordingPort("b", 0, 1500);
        assertEquals(0, table.add(a));
        assertEquals(1, table.add(b));
        assertEquals(2, table.size());
        assertEquals(4, table.capacity());
        assertSame(a, table.port(0));
        assertSame(b, table.port(1));
        assertNotSame(table.counters(0), table.counters(1));
        assertEquals("a,b", table.names());

        final DirectBuffer frame = new UnsafeBuffer(new byte[64]);
        assertEquals(0, table.ingress(0).onFrame(frame, 2, 60, FrameMetadata.of(1, 0, 0)));
        assertEquals(PortDropReason.RUNT, table.ingress(1).onFrame(frame, 0, 64, FrameMetadata.of(0, 1448, 1)));
        assertArrayEquals(new int[] {0, 2, 60, 1, 0, 0}, seen.get(0));
        assertArrayEquals(new int[] {1, 0, 64, 0, 1448, 1}, seen.get(1));
    }

    @Test
    void shouldRefuseAPortBeyondCapacityNamingTheLimit()
    {
        final PortTable table = new PortTable(fabric, 1);
        table.add(new RecordingPort("a", 0, 1500));
        final IllegalStateException ex =
            assertThrows(IllegalStateException.class, () -> table.add(new RecordingPort("b", 0, 1500)));
        assertTrue(ex.getMessage().contains("maxPorts=1"), ex.getMessage());
        assertEquals(1, table.size());
    }

    @Test
    void shouldRefuseAnIndexThatNamesNoPort()
    {
        final PortTable table = new PortTable(fabric, 2);
        table.add(new RecordingPort("a", 0, 1500));
        table.checkIndex(0);
        assertThrows(IllegalArgumentException.class, () -> table.checkIndex(1));
        assertThrows(IllegalArgumentException.class, () -> table.checkIndex(-1));
    }

    @Test
    void shouldSummariseEachPortsCounters()
    {
        final PortTable table = new PortTable(fabric, 2);
        table.add(new RecordingPort("vif1", 0, 1500));
        table.add(new RecordingPort("vif2", 0, 1500));
        table.counters(0).add(PortCounters.RX_FRAMES, 5);
        table.counters(1).txSent(100);
        table.counters(1).txDropped(PortDropReason.RUNT);
        assertEquals("vif1 rx 5 tx 0 drops 0, vif2 rx 0 tx 1 drops 1 " + PortDropReason.name(PortDropReason.RUNT) + " 1",
            table.summary());
    }

    @Test
    void shouldNameEachPortAsTheCallerNamesItWhenAsked()
    {
        final PortTable table = new PortTable(fabric, 2);
        table.add(new RecordingPort("tap:pvtap0", 0, 1500));
        table.add(new RecordingPort("vif1.0", 0, 1500));
        table.counters(0).add(PortCounters.RX_FRAMES, 3);
        final java.util.function.IntFunction<String> alias = index -> index == 0 ? "pvtap0" : table.port(index).name();
        assertEquals("pvtap0,vif1.0", table.names(alias));
        assertEquals("pvtap0 rx 3 tx 0 drops 0, vif1.0 rx 0 tx 0 drops 0", table.summary(alias));
        assertEquals("tap:pvtap0,vif1.0", table.names(), "its own names otherwise");
    }

    @Test
    void shouldSumUpThePortsWithoutTrafficOfALargeSwitchInOneEntry()
    {
        final int ports = PortTable.SUMMARY_PORTS_LISTED + 8;
        final PortTable table = new PortTable(fabric, ports);
        for (int i = 0; i < ports; i++)
        {
            table.add(new RecordingPort("vif" + (i + 1) + ".0", 0, 1500));
            table.counters(i).txDropped(PortDropReason.NOT_CONNECTED); // a flooded ARP each idle vif refused
        }
        table.counters(0).add(PortCounters.RX_FRAMES, 5);
        table.counters(6).txSent(100);
        final String not = PortDropReason.name(PortDropReason.NOT_CONNECTED);
        assertEquals("vif1.0 rx 5 tx 0 drops 1 " + not + " 1, vif7.0 rx 0 tx 1 drops 1 " + not + " 1, " +
            (ports - 2) + " more ports without traffic: drops " + (ports - 2) + " " + not + " " + (ports - 2), table.summary());
    }

    @Test
    void shouldServeBridgeAndRouterThroughTheSameFabricInterface()
    {
        final SwitchFabric bridge = new Bridge(BridgeConfig.defaults(NoFrameOffload.INSTANCE));
        final SwitchFabric router = new Router(RouterConfig.defaults(NoFrameOffload.INSTANCE));
        ((Bridge)bridge).attach(new RecordingPort("p0", 0, 1500), PortVlan.access(1));
        ((Router)router).attach(new RecordingPort("p0", 0, 1500), 0x02_00_00_00_00_01L);
        for (final SwitchFabric fabric : new SwitchFabric[] {bridge, router})
        {
            assertEquals(1, fabric.ports().size(), fabric.roleName());
            assertEquals("p0", fabric.ports().names());
            // a runt is counted as an rx drop on the shared table's counters, whichever fabric took it
            fabric.ports().ingress(0).onFrame(new UnsafeBuffer(new byte[8]), 0, 8, FrameMetadata.of(0, 0, 0));
            assertEquals(1, fabric.ports().counters(0).rxDrops(PortDropReason.RUNT), fabric.roleName());
        }
        assertEquals("", bridge.totals());
        assertTrue(router.totals().startsWith("router offered 1 "), router.totals());
    }
}
