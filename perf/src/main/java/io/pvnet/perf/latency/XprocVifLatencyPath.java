package io.pvnet.perf.latency;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.perf.vif.ChildJvm;
import io.pvnet.perf.vif.XprocHost;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@code vif-xproc} latency path: the vif's netfront runs in a second JVM ({@link XprocEchoGuestMain}) attached
 * as an isolated guest ({@link XprocHost}: control socket, its own sealed memfd; the host's store and counters stay in
 * this process's anonymous memory), and echoes every frame back; this process is the host, and its sender thread runs
 * the backend (xnb) itself, so the round trip starts and ends on the sender's thread and no clocks of two processes
 * are compared for the round trip:
 * <pre>
 *   sender thread (this JVM) = host: xnb.offer --xnb grant copy into the guest's posted rx buffer, rx ring-->
 *        guest JVM: netfront.poll, echo (stamps "guest" time), netfront.transmit --tx ring, grants-->
 *   sender thread: xnb grant copy out --> sink --> recorded
 * </pre>
 * Stages for {@code --breakdown}: {@code host to guest} (sent until the guest echoed it) and {@code guest to host}
 * (until the host's xnb handed it back); the boundary is a {@link System#nanoTime()} read in the other process,
 * valid because both read the same CLOCK_MONOTONIC. Two threads spin: the sender and the guest's one thread.
 * <p>
 * Threading: {@link #offer} and {@link #poll} from the sender thread only (which then runs the backend agent).
 */
public final class XprocVifLatencyPath implements LatencyPath
{
    /** Describes the plain frames sent (complete sums, no GSO); never changed, read during each call only. */
    private final FrameMetadata plain = new FrameMetadata();
    private static final String[] STAGES = {"host to guest", "guest to host"};
    /** Sender-side MAC of the frames: locally administered. */
    private static final long HOST_MAC = 0x02_00_00_00_00_01L;
    private static final long GUEST_START_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    /**
     * Frames echoed before the path is handed to the sender: the guest JVM has just started, and without this its
     * echo loop is still interpreted or being compiled during the sender's warm-up (a 1 s warm-up then showed a p50
     * of 4.6 ms instead of 0.6 us).
     */
    static final int GUEST_WARMUP_FRAMES = 100_000;
    private static final int GUEST_WARMUP_WINDOW = 64;
    private static final long GUEST_WARMUP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final Region region;
    private final XprocHost host;
    private final VifBackend backend;
    private final Process guest;
    private final CompletableFuture<String> guestReady = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<String> guestLines = new ConcurrentLinkedQueue<>();
    private final UnsafeBuffer frame;
    private final int frameBytes;
    private final Returned returned = new Returned();

    /**
     * Creates the region file, the backend, and starts and connects the guest JVM.
     *
     * @param frameBytes bytes per frame, {@link StampedFrameDescriptor#MIN_FRAME_BYTES} to 65535.
     * @param idle       how the guest's thread waits when nothing arrived.
     * @throws PathUnavailableException when the guest JVM does not start or connect, with its output.
     */
    public XprocVifLatencyPath(final int frameBytes, final IdleMode idle) throws PathUnavailableException
    {
        this(frameBytes, idle, GUEST_WARMUP_FRAMES);
    }

    /**
     * @param frameBytes   bytes per frame.
     * @param idle         how the guest's thread waits.
     * @param warmupFrames frames echoed before the constructor returns (tests take fewer).
     * @throws PathUnavailableException when the guest JVM does not start or connect, with its output.
     */
    XprocVifLatencyPath(final int frameBytes, final IdleMode idle, final int warmupFrames) throws PathUnavailableException
    {
        if (frameBytes < StampedFrameDescriptor.MIN_FRAME_BYTES || frameBytes > VifConfig.MAX_MTU)
        {
            throw new IllegalArgumentException("frameBytes=" + frameBytes + " must be in " +
                StampedFrameDescriptor.MIN_FRAME_BYTES + ".." + VifConfig.MAX_MTU);
        }
        this.frameBytes = frameBytes;
        // the host's store and counters in this process's anonymous memory; the guest attaches over the control
        // socket into its own sealed memfd, as pvnet guest does
        region = Region.createAnonymous(VifRegion.regionBytes(1), VifRegion.sectionCapacity(1));
        Process started = null;
        XprocHost host = null;
        try
        {
            final VifRegion vifRegion = VifRegion.create(region, 1);
            final VifConfig config = VifConfig.of(1, 0).withMtu(Math.max(1500, frameBytes));
            backend = VifBackend.create(vifRegion, config, returned, NoFrameOffload.INSTANCE);
            frame = StampedFrameDescriptor.newFrame(frameBytes, config.mac(), HOST_MAC);
            host = new XprocHost(XprocHost.LATENCY, vifRegion, backend);
            started = ChildJvm.start(XprocEchoGuestMain.class, host.socket().toString(), Integer.toString(config.mtu()),
                idle.configName());
            guest = started;
            Thread.ofPlatform().daemon().name("pvnet-guest-output").start(this::readGuestOutput);
            final long deadlineNs = System.nanoTime() + GUEST_START_TIMEOUT_NS;
            while (!(backend.isConnected() && guestReady.isDone()) && System.nanoTime() - deadlineNs < 0)
            {
                if (backend.doWork() == 0)
                {
                    Thread.yield();
                }
            }
            final String ready = guestReady.getNow("no answer in " + GUEST_START_TIMEOUT_NS / 1_000_000_000L + " s");
            if (!backend.isConnected() || !XprocEchoGuestMain.READY.equals(ready))
            {
                throw new PathUnavailableException("path vif-xproc: the guest JVM did not connect (backend " +
                    backend.state() + "; guest said: " + ready + " " + String.join(" | ", guestLines) + ")");
            }
            warmGuest(warmupFrames);
            this.host = host;
        }
        catch (final IOException | RuntimeException | PathUnavailableException ex)
        {
            if (started != null)
            {
                started.destroyForcibly();
            }
            if (host != null)
            {
                host.close();
                host.closeShares();
            }
            region.close();
            if (ex instanceof IOException io)
            {
                throw new PathUnavailableException("path vif-xproc: cannot start the guest JVM: " + io.getMessage());
            }
            if (ex instanceof PathUnavailableException unavailable)
            {
                throw unavailable;
            }
            throw (RuntimeException)ex;
        }
    }

    /** Sends {@code frames} frames through the guest, a window at a time, and waits for them. */
    private void warmGuest(final int frames)
    {
        final long[] back = new long[1];
        final FrameReceiver counter = (intendedSendNs, sendNs, stageNs) -> back[0]++;
        final long deadlineNs = System.nanoTime() + GUEST_WARMUP_TIMEOUT_NS;
        long sent = 0;
        while (back[0] < frames && System.nanoTime() - deadlineNs < 0)
        {
            while (sent < frames && sent - back[0] < GUEST_WARMUP_WINDOW && offer(0, 0))
            {
                sent++;
            }
            poll(counter);
        }
    }

    /** The factory behind {@code --path vif-xproc}. */
    static LatencyPathFactory factory()
    {
        return LatencyPaths.stampedFrames("vif-xproc",
            "xnb here -> netfront in a second JVM (isolated guest: control socket, sealed memfd) echoes -> xnb here", XprocVifLatencyPath::new);
    }

    @Override
    public String name()
    {
        return "vif-xproc";
    }

    @Override
    public String[] stageNames()
    {
        return STAGES.clone();
    }

    @Override
    public boolean offer(final long intendedSendNs, final long sendNs)
    {
        StampedFrameDescriptor.putSendTimes(frame, intendedSendNs, sendNs);
        // a full rx queue refuses (back-pressure): the sender retries after polling
        return backend.offer(frame, 0, frameBytes, plain) == DropReason.NONE;
    }

    @Override
    public int poll(final FrameReceiver receiver)
    {
        returned.receiver = receiver;
        returned.count = 0;
        // pushes queued frames to the guest, takes its echoes (handed to the receiver by the sink)
        backend.doWork();
        returned.receiver = null;
        return returned.count;
    }

    /** @return frames the backend dropped, as its counters say. */
    public long drops()
    {
        return backend.counters().totalDrops();
    }

    /** @return guests attached over the control socket (1 once the path is open). */
    public long guestAttaches()
    {
        return host.attaches();
    }

    /** @return whether the guest JVM is still running. */
    public boolean guestAlive()
    {
        return guest.isAlive();
    }

    /** Stops the guest (closes its stdin), waits for it, then closes the control socket, the backend and the memory. */
    @Override
    public void close()
    {
        try
        {
            guest.getOutputStream().close();
        }
        catch (final IOException ignored)
        {
            // the guest is gone already
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (guest.isAlive() && System.nanoTime() - deadlineNs < 0)
        {
            // keep serving the guest's close handshake
            backend.doWork();
            Thread.yield();
        }
        if (guest.isAlive())
        {
            guest.destroyForcibly();
        }
        host.close();
        backend.close();
        host.closeShares();
        region.close();
    }

    private void readGuestOutput()
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(guest.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                if (line.equals(XprocEchoGuestMain.READY) || line.startsWith(XprocEchoGuestMain.ERROR))
                {
                    guestReady.complete(line);
                }
                else if (guestLines.size() < 20)
                {
                    guestLines.add(line);
                }
            }
        }
        catch (final IOException ignored)
        {
            // the guest closed its output
        }
        guestReady.complete("exited");
    }

    /** The backend's sink, on the sender thread inside {@link #poll}: hands each echoed frame's stamps on. */
    private static final class Returned implements FrameSink
    {
        private final ReturnedFrames frames = new ReturnedFrames();
        private FrameReceiver receiver;
        private int count;

        @Override
        public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            if (receiver != null && StampedFrameDescriptor.isStamped(buffer, offset, length))
            {
                count++;
                frames.to(receiver).onFrame(buffer, offset, length, metadata);
            }
            return DropReason.NONE;
        }
    }
}
