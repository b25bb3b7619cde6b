package io.pvnet.perf.cli.engine;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The switch's ready and stopped lines name each port as the options and stat do: pvtap0, not tap:pvtap0. */
class SwitchWiringTest
{
    private static Port port(final String name)
    {
        return new Port()
        {
            @Override
            public String name()
            {
                return name;
            }

            @Override
            public int offloads()
            {
                return 0;
            }

            @Override
            public int mtu()
            {
                return 1500;
            }

            @Override
            public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
            {
                return 0;
            }
        };
    }

    @Test
    void shouldNamePortsInItsLinesAsTheOptionsAndStatDo()
    {
        final SwitchWiring wiring = SwitchWiring.bridged(64, org.agrona.concurrent.SystemNanoClock.INSTANCE);
        wiring.attach(port("vif1.0"), "vif1.0");
        final int tap = wiring.attach(port("tap:pvtap0"), "pvtap0");
        wiring.attach(port("vxlan:42@/10.0.0.2:4789"), "vxlan0");
        wiring.fabric.ports().counters(tap).add(PortCounters.RX_FRAMES, 7);
        assertEquals("vif1.0,pvtap0,vxlan0", wiring.portNames());
        assertEquals("vif1.0 rx 0 tx 0 drops 0, pvtap0 rx 7 tx 0 drops 0, vxlan0 rx 0 tx 0 drops 0", wiring.summary());
    }
}
