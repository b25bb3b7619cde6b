package io.pvnet.perf.latency;

import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.perf.vif.XprocGuest;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The guest process of the {@code vif-xproc} latency path: {@code XprocEchoGuestMain SOCKET MTU IDLE}. Attaches vif
 * 1.0 through the host's control socket as real guests do ({@code XprocGuest}: its own sealed memfd, a private store
 * kept in step over the connection, synced once per step), connects the netfront and echoes every stamped frame back ({@link EchoGuest}) until its
 * stdin closes (the host closes it to stop the guest, and it closes anyway when the host dies).
 * <p>
 * Protocol on stdout, one line each: {@code READY} once connected, {@code ERROR reason} on failure,
 * {@code ECHOED n} before exiting.
 */
public final class XprocEchoGuestMain
{
    static final String READY = "READY";
    static final String ERROR = "ERROR";
    private static final long CONNECT_TIMEOUT_NS = 20_000_000_000L;
    /** Longest sleep: how late the end of stdin (the host's stop) is seen; frames and the host's death wake it at once. */
    private static final long MAX_SLEEP_NS = 100_000_000L;

    private static volatile boolean stopped;

    private XprocEchoGuestMain()
    {
    }

    public static void main(final String[] args)
    {
        final Path socket = Path.of(args[0]);
        final int mtu = Integer.parseInt(args[1]);
        final IdleMode idleMode = IdleMode.fromName(args[2]);
        Thread.ofPlatform().daemon().name("pvnet-guest-stdin").start(XprocEchoGuestMain::awaitStdinClosed);
        try (XprocGuest attached = XprocGuest.attach(socket, VifConfig.of(1, 0).withMtu(mtu), NoFrameOffload.INSTANCE))
        {
            final VifFrontend frontend = attached.frontend();
            final EchoGuest guest = new EchoGuest(frontend);
            final long connectDeadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
            while (!frontend.isConnected() && System.nanoTime() - connectDeadlineNs < 0 && !stopped)
            {
                attached.sync();
                frontend.doWork();
            }
            if (!frontend.isConnected())
            {
                System.out.println(ERROR + " not connected: " + frontend.state());
                System.exit(2);
            }
            // sleep/adaptive: on the vif's own event port, a futex word in the guest's memory that the backend wakes once
            // the port is armed (as pvnet guest); without it the guest slept in 1 ms parks and each frame that found it
            // asleep waited for the park to end (latency --path vif-xproc --idle adaptive: p50 in milliseconds)
            final IdleStrategy idle = idleMode.newIdleStrategy(frontend, IdleMode.spinWindowNs(), MAX_SLEEP_NS);
            System.out.println(READY);
            System.out.flush();
            while (!stopped && attached.goneReason() == null)
            {
                // as pvnet guest's duty cycle: the store sync (a queue poll and a counter load when nothing changed)
                idle.idle(attached.sync() + guest.step());
            }
            System.out.println("ECHOED " + guest.echoed());
        }
        catch (final RuntimeException ex)
        {
            System.out.println(ERROR + " " + ex);
            System.exit(2);
        }
        System.exit(0);
    }

    private static void awaitStdinClosed()
    {
        final InputStream in = System.in;
        try
        {
            while (in.read() >= 0)
            {
                // nothing is sent on stdin; its end is the signal
            }
        }
        catch (final IOException ignored)
        {
            // a broken pipe means the same: the host is gone
        }
        stopped = true;
    }
}
