package io.pvnet.perf.cli.engine;

import io.pvnet.engine.FrameSink;
import io.pvnet.engine.VifConfig;
import io.pvnet.engine.VifCounters;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;

/**
 * A guest process's netfront and {@link GuestStack} as one agent: negotiation, receive (poll into the stack, whose
 * replies are transmitted), flush. Shared by {@code pvnet guest} and {@code pvnet gen}. One thread.
 */
final class GuestNode implements Agent, AutoCloseable, FrameSink
{
    /** What a guest is: region, vif config (MAC), addresses. */
    record Settings(Path region, VifConfig config, int ipv4, int prefix4, byte[] ipv6)
    {
    }

    private final Region region;
    private final VifFrontend frontend;
    private final GuestStack stack;
    private long transmitBusy;

    private GuestNode(final Region region, final VifFrontend frontend, final Settings settings)
    {
        this.region = region;
        this.frontend = frontend;
        this.stack = new GuestStack(settings.config().mac(), settings.ipv4(), settings.prefix4(), settings.ipv6(),
            settings.config().mtu(), this);
    }

    /** Opens the switch's region (waiting up to {@code waitNs} for it) and starts the vif's frontend. */
    static GuestNode open(final Settings settings, final long waitNs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + waitNs;
        while (true)
        {
            try
            {
                final Region region = Region.open(settings.region());
                try
                {
                    final VifRegion vifRegion = VifRegion.attach(region);
                    final VifConfig config = settings.config();
                    if (vifRegion.store().read(config.backendDir() + "/state") == null)
                    {
                        // the switch may still be creating its vifs
                        throw new RegionException(settings.region(), "no vif " + config.domid() +
                            " (pvnet switch --vifs smaller?)");
                    }
                    final VifCounters counters = VifCounters.attach(vifRegion.countersReader(), config.domid(),
                        config.handle());
                    final VifFrontend frontend = VifFrontend.create(vifRegion, config, counters,
                        new ChecksumFrameOffload());
                    return new GuestNode(region, frontend, settings);
                }
                catch (final RuntimeException ex)
                {
                    region.close();
                    throw ex;
                }
            }
            catch (final RegionException ex)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("cannot open region " + settings.region() + ": " + ex.getMessage());
                }
                Thread.sleep(50);
            }
        }
    }

    static IdleStrategy idleStrategy()
    {
        return new BackoffIdleStrategy(100, 10, 1_000, 100_000);
    }

    @Override
    public String roleName()
    {
        return "pvnet-guest-" + frontend.config().domid();
    }

    @Override
    public int doWork()
    {
        int work = frontend.doWork();
        work += frontend.poll(stack, 64);
        frontend.flush();
        return work;
    }

    /** The stack's replies: into the tx ring; a full ring drops the reply (counted by the stack). */
    @Override
    public int onFrame(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        int status = frontend.transmit(buffer, offset, length, flags, gsoSize, gsoType);
        if (status == VifFrontend.BUSY)
        {
            // the ring is full of our own unanswered requests: publish them, reap, retry once
            frontend.flush();
            frontend.doWork();
            status = frontend.transmit(buffer, offset, length, flags, gsoSize, gsoType);
            transmitBusy++;
        }
        return status == VifFrontend.OK ? 0 : 1;
    }

    VifFrontend frontend()
    {
        return frontend;
    }

    GuestStack stack()
    {
        return stack;
    }

    long transmitBusy()
    {
        return transmitBusy;
    }

    @Override
    public void close()
    {
        frontend.close();
        final long deadline = System.nanoTime() + 1_000_000_000L;
        while (frontend.state() != io.pvnet.engine.store.XenbusState.CLOSED && System.nanoTime() - deadline < 0)
        {
            frontend.doWork();
            Thread.onSpinWait();
        }
        region.close();
    }
}
