package io.pvnet.engine.guest;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;

import java.util.Map;

/**
 * The set-up of the guest-stack tests ({@link TrafficGeneratorTest}, {@link AnsweringPollTest}): two vifs behind a
 * bridge in one anonymous region, the bridge and both backends on one host agent thread, and both frontends for the
 * test to drive on its own thread. Vif 1 ({@link #serverVif}) is the server's, vif 2 ({@link #clientVif}) the
 * client's.
 * <p>
 * Threading: create, drive the frontends and close on the test's thread.
 */
final class BridgedVifPair implements AutoCloseable
{
    /** The server's address, 10.0.0.1. */
    static final int SERVER_IP = 0x0A00_0001;
    /** The client's address, 10.0.0.2. */
    static final int CLIENT_IP = 0x0A00_0002;

    final VifBackend serverBackend;
    final VifBackend clientBackend;
    /** The bridge (its per-port counters: what a backend refused, e.g. queue-full). */
    final Bridge bridge;
    final VifFrontend serverVif;
    final VifFrontend clientVif;
    private final Region region;
    private final AgentRunner host;

    /**
     * @param storeKeys store keys written before the host thread starts (e.g. a backend's {@code rate}).
     */
    BridgedVifPair(final Map<String, String> storeKeys)
    {
        region = Region.createAnonymous(VifRegion.regionBytes(2));
        final VifRegion vifs = VifRegion.create(region);
        bridge = new Bridge(BridgeConfig.defaults(new ChecksumFrameOffload()));
        final VifBackend[] backends = new VifBackend[2];
        for (int i = 0; i < 2; i++)
        {
            final VifPort port = new VifPort("vif" + (i + 1));
            final int index = bridge.attach(port, PortVlan.access(1));
            port.backend(VifBackend.create(vifs, VifConfig.of(i + 1, 0), bridge.ingress(index),
                new ChecksumFrameOffload()));
            backends[i] = port.backend();
        }
        serverBackend = backends[0];
        clientBackend = backends[1];
        storeKeys.forEach(vifs.store()::write);
        host = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, 100_000), Throwable::printStackTrace, null,
            new CompositeAgent(bridge, backends[0], backends[1]));
        AgentRunner.startOnThread(host);
        serverVif = VifFrontend.create(vifs, VifConfig.of(1, 0), backends[0].counters(), new ChecksumFrameOffload());
        clientVif = VifFrontend.create(vifs, VifConfig.of(2, 0), backends[1].counters(), new ChecksumFrameOffload());
    }

    /** @return a guest stack's way out through {@code frontend}: 0 when the frame was queued, 1 when not. */
    static FrameSink transmitTo(final VifFrontend frontend)
    {
        return (buffer, offset, length, metadata) ->
            frontend.transmit(buffer, offset, length, metadata) == VifFrontend.OK ? 0 : 1;
    }

    /** Stops the host thread, then unmaps the region. */
    @Override
    public void close()
    {
        host.close();
        region.close();
    }
}
