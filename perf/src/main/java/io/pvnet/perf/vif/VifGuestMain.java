package io.pvnet.perf.vif;

import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.netif.NetifConstants;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.ring.event.IdleMode;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;

/**
 * The guest process of {@code vif-xproc}:
 * {@code VifGuestMain SOCKET FRAME_LENGTH WARMUP_MS DURATION_MS tso|plain [IDLE SPIN_NS]} ({@code tso}: TSO frames,
 * see {@link #receiverConfig}; {@code IDLE} an {@link IdleMode} name, {@code adaptive} unless given). Attaches vifs
 * 1.0 and 2.0 through the host's control socket as real guests do ({@link XprocGuest}: each its own sealed memfd, a
 * private store kept in step over the connection; nothing of the host mapped), runs the two frontends
 * ({@link VifGuests}) on its main thread, syncing each store once per step as {@code pvnet guest} does, and prints one
 * line {@code RESULT frames=F bytes=B ns=T p50=N p99=N} for the measured window ({@code ERROR reason} on failure).
 * <p>
 * Waiting as {@code pvnet guest} waits: with {@code sleep}/{@code adaptive} the thread polls for {@code SPIN_NS}
 * after its last work, then sleeps on the receiving vif's event port (a futex word in the guest's own memory, woken by
 * the backend only once the port is armed); every frame sent comes back to that vif, so its port is the one to sleep
 * on. Other modes idle as their Agrona strategy ({@code backoff}: spin, yield, park 1-100 us, as before).
 */
public final class VifGuestMain
{
    /**
     * Longest sleep on the receiving vif's port: a safety net only (a frame the host dropped notifies nobody, so a
     * sender waiting for tx room with nothing in flight would otherwise wait for nothing).
     */
    static final long MAX_SLEEP_NS = 1_000_000L;

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

    /** @return the sending guest's vif (1.0) for frames of {@code frameLength} bytes. */
    public static VifConfig senderConfig(final int frameLength)
    {
        return VifPipeline.senderConfig(frameLength);
    }

    public static void main(final String[] args)
    {
        final Path socket = Path.of(args[0]);
        final int frameLength = Integer.parseInt(args[1]);
        final long warmupNs = Long.parseLong(args[2]) * 1_000_000L;
        final long durationNs = Long.parseLong(args[3]) * 1_000_000L;
        final boolean tso = args.length > 4 && "tso".equals(args[4]);
        final IdleMode idleMode = args.length > 5 ? IdleMode.fromName(args[5]) : IdleMode.ADAPTIVE;
        final long spinWindowNs = args.length > 6 ? Long.parseLong(args[6]) : IdleMode.spinWindowNs();
        final ChecksumFrameOffload offload = new ChecksumFrameOffload();
        try (XprocGuest senderGuest = XprocGuest.attach(socket, senderConfig(frameLength), offload);
            XprocGuest receiverGuest = XprocGuest.attach(socket, receiverConfig(tso), offload))
        {
            final VifGuests guests = tso ?
                new VifGuests(senderGuest.frontend(), receiverGuest.frontend(), frameLength, FrameFlags.CSUM_PARTIAL,
                    TSO_MSS, NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4) :
                new VifGuests(senderGuest.frontend(), receiverGuest.frontend(), frameLength, 0, 0, 0);
            final long connectDeadline = System.nanoTime() + 20_000_000_000L;
            while (!guests.connected() && System.nanoTime() - connectDeadline < 0)
            {
                senderGuest.sync();
                receiverGuest.sync();
                guests.idle();
            }
            if (!guests.connected())
            {
                System.out.println("ERROR not connected: sender=" + senderGuest.frontend().state() + " receiver=" +
                    receiverGuest.frontend().state());
                System.exit(2);
            }
            // the same loop in warm-up and measurement, so the JIT compiles the idle path the measurement runs
            final IdleStrategy idle = idleMode.newIdleStrategy(receiverGuest.frontend(), spinWindowNs, MAX_SLEEP_NS);
            final long warmupEnd = System.nanoTime() + warmupNs;
            while (System.nanoTime() - warmupEnd < 0)
            {
                idle.idle(senderGuest.sync() + receiverGuest.sync() + guests.step());
            }
            guests.resetLatency();
            final long startFrames = guests.received();
            final long startBytes = guests.receivedBytes();
            final long start = System.nanoTime();
            final long end = start + durationNs;
            while (System.nanoTime() - end < 0)
            {
                // as pvnet guest's duty cycle: the store sync (a queue poll and a counter load when nothing changed)
                idle.idle(senderGuest.sync() + receiverGuest.sync() + guests.step());
            }
            final long elapsed = System.nanoTime() - start;
            System.out.println("RESULT frames=" + (guests.received() - startFrames) + " bytes=" +
                (guests.receivedBytes() - startBytes) + " ns=" + elapsed + " p50=" +
                guests.latency().getValueAtPercentile(50) + " p99=" + guests.latency().getValueAtPercentile(99));
            final String gone = senderGuest.goneReason() != null ? senderGuest.goneReason() : receiverGuest.goneReason();
            if (gone != null)
            {
                System.out.println("ERROR " + gone);
            }
        }
        catch (final RuntimeException ex)
        {
            System.out.println("ERROR " + ex.getMessage());
            System.exit(2);
        }
        System.exit(0);
    }
}
