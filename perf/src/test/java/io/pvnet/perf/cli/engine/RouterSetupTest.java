package io.pvnet.perf.cli.engine;

import io.pvnet.engine.bridge.RecordingPort;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.engine.router.RouteTable;
import io.pvnet.engine.router.Router;
import io.pvnet.engine.router.RouterConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code switch --routed}: default addresses and MACs per port, {@code --router-ip} overrides, {@code --route}s. */
class RouterSetupTest
{
    @Test
    void shouldGiveDefaultsPerPortKindAndApplyOverridesAndStaticRoutes()
    {
        final RouterSetup setup = new RouterSetup();
        setup.port("vif1", 0, 1);
        setup.port("vif2", 0, 2);
        setup.port("pvtap0", 1, 0);
        setup.parse(List.of("vif1=192.0.2.1/25", "pvtap0=2001:db8::1/64"),
            List.of("0.0.0.0/0=pvtap0,via=10.1.0.2", "2001:db8:5::/48=vif2,via=fd00:0:0:2::7"));
        assertEquals(0x02_70_76_00_00_01L, setup.mac("vif1"));
        assertEquals(0x02_70_76_00_01_00L, setup.mac("pvtap0"));

        final Router router = new Router(RouterConfig.defaults(NoFrameOffload.INSTANCE));
        final int vif1 = router.attach(new RecordingPort("vif1", PortOffloads.ALL, 1500), setup.mac("vif1"));
        final int vif2 = router.attach(new RecordingPort("vif2", PortOffloads.ALL, 1500), setup.mac("vif2"));
        final int tap = router.attach(new RecordingPort("pvtap0", PortOffloads.NONE, 1500), setup.mac("pvtap0"));
        setup.apply(router, Map.of("vif1.0", vif1, "vif2.0", vif2, "pvtap0", tap)); // ports as dom0 names vifs

        final RouteTable routes = router.routes();
        assertEquals(vif1, routes.port4(routes.lookup4(0xC000_027F)), "192.0.2.127: the overridden /25");
        assertEquals(tap, routes.port4(routes.lookup4(0xC000_0280)), "192.0.2.128: outside it, the default route");
        assertEquals(0x0A01_0002, routes.nextHop4(routes.lookup4(0x0808_0808), 0x0808_0808));
        assertEquals(vif2, routes.port4(routes.lookup4(0x0A00_0209)), "vif2's default 10.0.2.1/24");
        assertEquals(tap, routes.port4(routes.lookup4(0x0A01_0009)), "the TAP's default 10.1.0.1/24");
        assertEquals(vif1, routes.port6(routes.lookup6(0xFD00_0000_0000_0001L, 9)), "vif1's default fd00:0:0:1::/64");
        assertEquals(tap, routes.port6(routes.lookup6(0x2001_0DB8_0000_0000L, 9)), "the TAP's overridden IPv6");
        final int viaRoute = routes.lookup6(0x2001_0DB8_0005_0001L, 1);
        assertEquals(vif2, routes.port6(viaRoute));
        assertTrue(routes.hasVia6(viaRoute));
        assertEquals(0xFD00_0000_0000_0002L, routes.viaHi6(viaRoute));
        assertEquals(7, routes.viaLo6(viaRoute));
        assertEquals(RouteTable.NO_ROUTE, routes.lookup6(0x2a00_0000_0000_0000L, 1), "no IPv6 default given");
        assertTrue(setup.describe().contains("vif1.0 192.0.2.1/25"), setup.describe());
        assertTrue(setup.describe().contains("pvtap0 10.1.0.1/24 2001:db8::1/64 02:70:76:00:01:00"),
            setup.describe());
    }
}
