package io.pvnet.engine.bridge;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;

/**
 * Test fixture: vifs behind a {@link Bridge} (access ports of VLAN 1, named {@code vif1}, {@code vif2}, ...) in one
 * anonymous region, each with its in-process guest ({@link #startGuests()}), software offload everywhere. The host's
 * agents (the bridge and every backend) run either on the test's thread ({@link #pump}) or on a thread of their own
 * ({@link #startHost()}); {@link #close()} stops that thread, then unmaps the region.
 * <p>
 * Threading: create, pump, drive the frontends and close on the test's thread.
 */
public final class BridgedVifs implements AutoCloseable
{
    /** The bridge (its per-port counters: what a backend refused, e.g. queue-full). */
    public final Bridge bridge;
    /** The region's store and sections, for keys a test writes. */
    public final VifRegion vifRegion;
    /** Vif {@code i}'s backend, index = port index on the bridge. */
    public final VifBackend[] backends;
    /** Vif {@code i}'s guest, null until {@link #startGuests()}. */
    public final VifFrontend[] frontends;
    private final Region region;
    private AgentRunner host;

    /**
     * Creates the region, the bridge and every vif's backend (no guest yet: keys written now are seen first).
     *
     * @param configs one per vif, in port order.
     */
    public BridgedVifs(final VifConfig... configs)
    {
        region = Region.createAnonymous(VifRegion.regionBytes(configs.length));
        vifRegion = VifRegion.create(region);
        bridge = new Bridge(BridgeConfig.defaults(new ChecksumFrameOffload()));
        backends = new VifBackend[configs.length];
        frontends = new VifFrontend[configs.length];
        for (int i = 0; i < configs.length; i++)
        {
            final VifPort port = new VifPort("vif" + (i + 1));
            final int index = bridge.attach(port, PortVlan.access(1));
            backends[i] = VifBackend.create(vifRegion, configs[i], bridge.ingress(index), new ChecksumFrameOffload());
            port.backend(backends[i]);
        }
    }

    /** Starts every vif's guest: its frontend writes its keys and negotiates. @return this fixture. */
    public BridgedVifs startGuests()
    {
        for (int i = 0; i < backends.length; i++)
        {
            frontends[i] = VifFrontend.create(vifRegion, backends[i].config(), backends[i].counters(),
                new ChecksumFrameOffload());
        }
        return this;
    }

    /**
     * Four rounds of every agent on the test's thread: the bridge, then per vif its guest, its backend, and what the
     * guest received handed to {@code received[i]} (up to 256 frames a round).
     */
    public void pump(final FrameHandler... received)
    {
        for (int round = 0; round < 4; round++)
        {
            bridge.doWork();
            for (int i = 0; i < backends.length; i++)
            {
                frontends[i].doWork();
                backends[i].doWork();
                frontends[i].poll(received[i], 256);
            }
        }
    }

    /** Runs the bridge and every backend on a thread of their own (the guests stay the test's). @return this. */
    public BridgedVifs startHost()
    {
        return startHost(null);
    }

    /**
     * As {@link #startHost()}, with {@code watcher} (if not null) run first in each of the host thread's duty cycles
     * (e.g. to count that thread's stalls).
     *
     * @param watcher an agent of the test's, or null.
     * @return this.
     */
    public BridgedVifs startHost(final Agent watcher)
    {
        final int first = watcher == null ? 0 : 1;
        final Agent[] all = new Agent[first + backends.length + 1];
        if (watcher != null)
        {
            all[0] = watcher;
        }
        all[first] = bridge;
        System.arraycopy(backends, 0, all, first + 1, backends.length);
        host = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, 100_000), Throwable::printStackTrace, null,
            new CompositeAgent(all));
        AgentRunner.startOnThread(host);
        return this;
    }

    /** Stops the host thread if started, then unmaps the region. */
    @Override
    public void close()
    {
        if (host != null)
        {
            host.close();
        }
        region.close();
    }
}
