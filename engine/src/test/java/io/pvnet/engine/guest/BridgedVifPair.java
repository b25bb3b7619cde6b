package io.pvnet.engine.guest;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgedVifs;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.vif.VifConfig;
import org.agrona.concurrent.Agent;

import java.util.Map;

/**
 * The set-up of the guest-stack tests ({@link TrafficGeneratorTest}, {@link AnsweringPollTest},
 * {@link TcpClientCloseTest}): two {@link BridgedVifs}, the bridge and both backends on one host agent thread, and both
 * frontends for the test to drive on its own thread. Vif 1 ({@link #serverVif}) is the server's, vif 2
 * ({@link #clientVif}) the client's.
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
    private final BridgedVifs vifs;
    private final HostWatch hostWatch = new HostWatch();

    /**
     * @param storeKeys store keys written before the host thread starts (e.g. a backend's {@code rate}).
     */
    BridgedVifPair(final Map<String, String> storeKeys)
    {
        vifs = new BridgedVifs(VifConfig.of(1, 0), VifConfig.of(2, 0));
        storeKeys.forEach(vifs.vifRegion.store()::write);
        vifs.startHost(hostWatch).startGuests();
        bridge = vifs.bridge;
        serverBackend = vifs.backends[0];
        clientBackend = vifs.backends[1];
        serverVif = vifs.frontends[0];
        clientVif = vifs.frontends[1];
    }

    /** @return a guest stack's way out through {@code frontend}: 0 when the frame was queued, 1 when not. */
    static FrameSink transmitTo(final VifFrontend frontend)
    {
        return (buffer, offset, length, metadata) ->
            frontend.transmit(buffer, offset, length, metadata) == VifFrontend.OK ? 0 : 1;
    }

    /**
     * {@return gaps of {@code StreamCredit.TIMEOUT_NS / 2} or more between two duty cycles of the host thread (the
     * bridge and both backends) so far: that thread descheduled (a loaded machine), frames and reports held on the way}
     * Read it on the test's thread.
     */
    int hostStalls()
    {
        return hostWatch.stalls;
    }

    /** Stops the host thread, then unmaps the region. */
    @Override
    public void close()
    {
        vifs.close();
    }

    /** Counts the host thread's stalls; runs first in each of its duty cycles. Threading: the host thread writes. */
    private static final class HostWatch implements Agent
    {
        volatile int stalls;
        private long lastNs;

        @Override
        public int doWork()
        {
            final long nowNs = System.nanoTime();
            if (lastNs != 0 && nowNs - lastNs >= StreamCredit.TIMEOUT_NS / 2)
            {
                stalls = stalls + 1; // the one writer
            }
            lastNs = nowNs;
            return 0;
        }

        @Override
        public String roleName()
        {
            return "host-watch";
        }
    }
}
