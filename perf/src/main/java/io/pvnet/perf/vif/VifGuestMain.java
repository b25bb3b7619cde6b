package io.pvnet.perf.vif;

import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.netif.NetifConstants;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.ring.region.Region;

import java.nio.file.Path;

/**
 * The guest process of {@code vif-xproc}: {@code VifGuestMain REGION FRAME_LENGTH WARMUP_MS DURATION_MS [tso|plain]}
 * ({@code tso}: TSO frames, see {@link #receiverConfig}). Opens the
 * host's region, runs the two frontends ({@link VifGuests}) on its main thread, and prints one line
 * {@code RESULT frames=F bytes=B ns=T p50=N p99=N} for the measured window.
 */
public final class VifGuestMain
{
    /** MSS of the TSO frames (as {@code vif.tso}). */
    static final int TSO_MSS = 1448;

    private VifGuestMain()
    {
    }

    /**
     * @param tso whether the run sends TSO frames.
     * @return the receiving guest's vif (2.0): without GSO for TSO runs, so its backend splits every frame in
     *         software (as {@code vif.tso}).
     */
    public static VifConfig receiverConfig(final boolean tso)
    {
        return tso ? VifConfig.of(2, 0).withOffloads(true, false, false) : VifConfig.of(2, 0);
    }

    public static void main(final String[] args)
    {
        final Path path = Path.of(args[0]);
        final int frameLength = Integer.parseInt(args[1]);
        final long warmupNs = Long.parseLong(args[2]) * 1_000_000L;
        final long durationNs = Long.parseLong(args[3]) * 1_000_000L;
        final boolean tso = args.length > 4 && "tso".equals(args[4]);
        try (Region region = Region.open(path))
        {
            final VifRegion vifRegion = VifRegion.attach(region);
            final ChecksumFrameOffload offload = new ChecksumFrameOffload();
            final VifFrontend sender = VifFrontend.create(vifRegion, VifPipeline.senderConfig(frameLength),
                VifCounters.attach(vifRegion.countersReader(), 1, 0), offload);
            final VifFrontend receiver = VifFrontend.create(vifRegion, receiverConfig(tso),
                VifCounters.attach(vifRegion.countersReader(), 2, 0), offload);
            final VifGuests guests = tso ?
                new VifGuests(sender, receiver, frameLength, FrameFlags.CSUM_PARTIAL, TSO_MSS,
                    NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4) :
                new VifGuests(sender, receiver, frameLength, 0, 0, 0);
            final long connectDeadline = System.nanoTime() + 20_000_000_000L;
            while (!guests.connected() && System.nanoTime() - connectDeadline < 0)
            {
                guests.idle();
            }
            if (!guests.connected())
            {
                System.out.println("ERROR not connected: sender=" + sender.state() + " receiver=" + receiver.state());
                System.exit(2);
            }
            final long warmupEnd = System.nanoTime() + warmupNs;
            while (System.nanoTime() - warmupEnd < 0)
            {
                guests.step();
            }
            guests.resetLatency();
            final long startFrames = guests.received();
            final long startBytes = guests.receivedBytes();
            final long start = System.nanoTime();
            final long end = start + durationNs;
            final org.agrona.concurrent.IdleStrategy idle =
                new org.agrona.concurrent.BackoffIdleStrategy(100, 10, 1_000, 100_000);
            while (System.nanoTime() - end < 0)
            {
                idle.idle(guests.step());
            }
            final long elapsed = System.nanoTime() - start;
            System.out.println("RESULT frames=" + (guests.received() - startFrames) + " bytes=" +
                (guests.receivedBytes() - startBytes) + " ns=" + elapsed + " p50=" +
                guests.latency().getValueAtPercentile(50) + " p99=" + guests.latency().getValueAtPercentile(99));
            sender.close();
            receiver.close();
            for (int i = 0; i < 1000; i++)
            {
                guests.idle();
            }
        }
        System.exit(0);
    }
}
