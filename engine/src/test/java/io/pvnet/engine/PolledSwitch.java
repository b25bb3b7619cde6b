package io.pvnet.engine;

import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifSections;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.event.RunnerStop;
import io.pvnet.ring.region.Region;
import io.pvnet.testsupport.TestFrames;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test fixture: {@code vifs} vifs behind a bridge, their backends under one {@link VifPoller}, their in-process guests
 * (frontends) driven by the test's thread, which counts the frames each receives. The host agents ({@link #poller},
 * {@link #bridge}) run either on the test's thread ({@link #pumpUntilConnectedAndIdle()}, {@link #round()}) or on a
 * thread of their own ({@link #startHost}); {@link #close()} stops that thread (at once, even asleep) and frees the
 * region.
 */
final class PolledSwitch implements AutoCloseable
{
    final Region region;
    final VifRegion vifRegion;
    final VifPoller poller;
    final Bridge bridge;
    final VifBackend[] backends;
    final VifFrontend[] frontends;
    final AtomicLongArray received;
    private AgentRunner host;

    /** {@code vifs} connected guests in anonymous memory, no linger. */
    PolledSwitch(final int vifs)
    {
        this(vifs, 0L, true);
    }

    /**
     * @param vifs     vifs (and backends) of the switch.
     * @param lingerNs the poller's linger.
     * @param guests   whether each vif's guest starts now ({@link #startGuest} later otherwise).
     */
    PolledSwitch(final int vifs, final long lingerNs, final boolean guests)
    {
        this(vifs, lingerNs, guests, System::nanoTime);
    }

    /**
     * @param vifs     vifs (and backends) of the switch.
     * @param lingerNs the poller's linger.
     * @param guests   whether each vif's guest starts now ({@link #startGuest} later otherwise).
     * @param clock    the poller's clock (a test's, to drive the linger).
     */
    PolledSwitch(final int vifs, final long lingerNs, final boolean guests, final LongSupplier clock)
    {
        region = newRegion(vifs);
        vifRegion = VifRegion.create(region, vifs);
        poller = new VifPoller(VifSections.createSelector(region, vifs), vifRegion.store(),
            VifPoller.HOUSEKEEPING_MS * 1_000_000L, lingerNs, null, clock);
        bridge = new Bridge(new BridgeConfig(Math.max(64, vifs), 65536, BridgeConfig.DEFAULT_AGING_NS,
            SystemNanoClock.INSTANCE, new ChecksumFrameOffload()));
        backends = new VifBackend[vifs];
        frontends = new VifFrontend[vifs];
        received = new AtomicLongArray(vifs);
        for (int i = 0; i < vifs; i++)
        {
            final VifPort port = new VifPort("vif" + (i + 1));
            final int index = bridge.attach(port, PortVlan.access(1));
            backends[i] = VifBackend.create(vifRegion, config(i), bridge.ingress(index), new ChecksumFrameOffload());
            port.backend(backends[i]);
            poller.add(backends[i]);
            if (guests)
            {
                startGuest(i);
            }
        }
    }

    /**
     * The region: anonymous memory up to 64 vifs; above, a sparse file in /dev/shm (anonymous memory would be zeroed,
     * all of it: about 2 GB for 1,024 vifs), deleted as soon as it is mapped, so a test killed midway leaves nothing.
     */
    private static Region newRegion(final int vifs)
    {
        if (vifs <= 64)
        {
            return Region.createAnonymous(VifRegion.regionBytes(vifs), VifRegion.sectionCapacity(vifs));
        }
        try
        {
            final Path file = Files.createTempFile(Path.of("/dev/shm"), "pvnet-poller-test", ".region");
            Files.delete(file);
            final Region mapped = Region.create(file, VifRegion.regionBytes(vifs), VifRegion.sectionCapacity(vifs));
            Files.delete(file); // the mapping stays; the pages go with the last unmap, or with the process
            return mapped;
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    static VifConfig config(final int vif)
    {
        return VifConfig.of(vif + 1, 0);
    }

    /** Starts the guest of vif {@code vif} (index from 0): its frontend writes its keys and negotiates. */
    VifFrontend startGuest(final int vif)
    {
        frontends[vif] = VifFrontend.create(vifRegion, config(vif), backends[vif].counters(), new ChecksumFrameOffload());
        return frontends[vif];
    }

    /**
     * Runs the host agents on a thread of their own, idling in {@code mode} on the poller, which bounds each sleep by
     * its own timers: as {@code pvnet switch}, the strategy's longest sleep is the heartbeat's 2 s.
     */
    AgentRunner startHost(final IdleMode mode)
    {
        host = new AgentRunner(mode.newIdleStrategy(poller, IdleMode.spinWindowNs(), VifPoller.HEARTBEAT_NS),
            Throwable::printStackTrace, null, new CompositeAgent(poller, bridge));
        AgentRunner.startOnThread(host);
        return host;
    }

    /**
     * Waits until the host thread (started by {@link #startHost}) has settled into a long sleep: past the second after
     * the last store change in which it looks at the store every 10 ms, a new sleep has begun (its heartbeat's, about
     * 2 s long), and this thread returns early in it.
     */
    void awaitHostInALongSleep() throws InterruptedException
    {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(VifPoller.STORE_SETTLE_NS) + 200);
        final long sleeps = poller.sleeps();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (poller.sleeps() == sleeps)
        {
            assertTrue(System.nanoTime() < deadline, "the host thread did not start a new sleep");
            Thread.sleep(1);
        }
        Thread.sleep(20);
    }

    /** One duty cycle of every guest (tx responses, rx frames counted); returns the work done. */
    int guests()
    {
        int work = 0;
        for (int i = 0; i < frontends.length; i++)
        {
            final int vif = i;
            if (frontends[i] != null)
            {
                work += frontends[i].doWork();
                work += frontends[i].poll((buffer, offset, length, metadata) -> received.incrementAndGet(vif), 64);
            }
        }
        return work;
    }

    /** One duty cycle of the host agents and the guests, all on this thread. */
    void round()
    {
        poller.doWork();
        bridge.doWork();
        guests();
    }

    boolean connected()
    {
        for (int i = 0; i < frontends.length; i++)
        {
            if (frontends[i] == null || !frontends[i].isConnected() || !backends[i].isConnected())
            {
                return false;
            }
        }
        return true;
    }

    /** Runs everything on this thread until every vif is connected and none is active (20 s at most). */
    void pumpUntilConnectedAndIdle() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!connected() || poller.activeCount() > 0 || poller.timedCount() > 0)
        {
            assertTrue(System.nanoTime() < deadline, "vifs did not connect and settle");
            round();
            Thread.sleep(1);
        }
    }

    /** Runs rounds (at most 50) until no vif is active. */
    void settle()
    {
        for (int round = 0; round < 50 && poller.activeCount() > 0; round++)
        {
            round();
        }
        assertEquals(0, poller.activeCount(), "every vif went idle again");
    }

    /** Vif {@code from}'s guest sends a 100-byte frame to vif {@code to}'s MAC and notifies. */
    void send(final int from, final int to, final UnsafeBuffer frame)
    {
        final int length = TestFrames.raw(frame, 0, config(to).mac(), config(from).mac(), -1, 100);
        assertEquals(VifFrontend.OK, frontends[from].transmit(frame, 0, length));
        frontends[from].flush();
    }

    @Override
    public void close()
    {
        if (host != null)
        {
            RunnerStop.close(host, poller::wake);
        }
        region.close();
    }
}
