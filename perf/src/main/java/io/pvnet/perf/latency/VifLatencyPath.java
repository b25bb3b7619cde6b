package io.pvnet.perf.latency;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.vif.DropReason;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The {@code vif} latency path: one vif whose backend hands every frame its guest transmits straight back to the same
 * guest (a loop cable in place of the bridge), so a frame crosses the whole split driver twice:
 * <pre>
 *   sender = guest: netfront.transmit --tx ring, grants--> xnb (host thread): grant copy out
 *        --loop cable (stamps "host" time)--> xnb: grant copy into the guest's posted rx buffer --rx ring--> netfront.poll
 * </pre>
 * Each frame is a {@link StampedFrameDescriptor} frame: the intended send
 * time at byte 14, the actual send time at 22 and the time the host handed it back at 30. Stages for
 * {@code --breakdown}: {@code tx to host} (sent until the backend handed it to the cable) and {@code host to rx}
 * (until the guest polled it). The host thread busy-spins without PAUSE, as a latency run must.
 * <p>
 * Threading: {@link #offer} and {@link #poll} from the sender thread only (the guest's one thread); the backend agent
 * runs on its own thread, started by the constructor and stopped by {@link #close()}.
 */
public final class VifLatencyPath implements LatencyPath
{
    /** Smallest frame that holds the Ethernet header and the three stamps. */
    public static final int MIN_FRAME_BYTES = StampedFrameDescriptor.MIN_FRAME_BYTES;
    private static final String[] STAGES = {"tx to host", "host to rx"};
    private static final int POLL_LIMIT = 64;
    private static final int IDLE_POLLS_PER_HOUSEKEEPING = 64;

    private final Region region;
    private final VifFrontend frontend;
    private final VifBackend backend;
    private final AgentRunner hostRunner;
    /** Serves the backend on the host thread; woken to stop it. */
    private final io.pvnet.engine.VifPoller poller;
    private final UnsafeBuffer frame;
    private final int frameBytes;
    private final ReturnedFrames returned = new ReturnedFrames();
    private boolean housekeepingDue;
    private int idlePolls;

    /**
     * @param frameBytes bytes per frame, {@link #MIN_FRAME_BYTES} to 65535.
     */
    public VifLatencyPath(final int frameBytes)
    {
        this(frameBytes, IdleMode.NOOP);
    }

    /**
     * @param frameBytes bytes per frame, {@link #MIN_FRAME_BYTES} to 65535.
     * @param idle       how the host thread waits when there is no work; {@link IdleMode#NOOP} spins without PAUSE.
     */
    public VifLatencyPath(final int frameBytes, final IdleMode idle)
    {
        if (frameBytes < MIN_FRAME_BYTES || frameBytes > VifConfig.MAX_MTU)
        {
            throw new IllegalArgumentException("frameBytes=" + frameBytes + " must be in " + MIN_FRAME_BYTES + ".." +
                VifConfig.MAX_MTU);
        }
        this.frameBytes = frameBytes;
        region = Region.createAnonymous(VifRegion.regionBytes(1));
        try
        {
            final VifRegion vifRegion = VifRegion.create(region);
            // before the frontend connects: it looks the selector up then, and without it only wakes its own port
            final io.pvnet.ring.event.EventSelector selector = io.pvnet.engine.vif.VifSections.createSelector(region, 1);
            // -Dpvnet.vif.padded=true as for ./pvnet bench: rings whose indices sit on separate cache lines (beyond Xen)
            final VifConfig config = VifConfig.of(1, 0).withMtu(Math.max(1500, frameBytes))
                .withPaddedRings(Boolean.getBoolean("pvnet.vif.padded"));
            final VifBackend[] self = new VifBackend[1];
            backend = VifBackend.create(vifRegion, config, new LoopCable(self, frameBytes), NoFrameOffload.INSTANCE);
            self[0] = backend;
            frontend = VifFrontend.create(vifRegion, config, backend.counters(), NoFrameOffload.INSTANCE);
            for (int i = 0; i < 1_000 && !(frontend.isConnected() && backend.isConnected()); i++)
            {
                frontend.doWork();
                backend.doWork();
            }
            if (!(frontend.isConnected() && backend.isConnected()))
            {
                throw new IllegalStateException("vif did not connect: frontend=" + frontend.state() + " backend=" +
                    backend.state());
            }
            // to the guest's own MAC, from a locally administered one
            frame = StampedFrameDescriptor.newFrame(frameBytes, config.mac(), 0x02_00_00_00_00_01L);
            // sleep/adaptive: the host thread sleeps on a vif poller's selector until the guest notifies
            poller = new io.pvnet.engine.VifPoller(selector, vifRegion.store());
            poller.add(backend);
            hostRunner = new AgentRunner(
                // NOOP by default: spin without PAUSE (BusySpin's onSpinWait gets a KVM vCPU descheduled; FixedRateSender)
                idle.newIdleStrategy(poller), Throwable::printStackTrace, null, poller);
            AgentRunner.startOnThread(hostRunner);
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    /** The factory behind {@code --path vif}. */
    static LatencyPathFactory factory()
    {
        return LatencyPaths.stampedFrames("vif", "netfront -> xnb -> back to the same netfront (in process)",
            VifLatencyPath::new);
    }

    @Override
    public String name()
    {
        return "vif";
    }

    @Override
    public String[] stageNames()
    {
        return STAGES.clone();
    }

    @Override
    public boolean offer(final long intendedSendNs, final long sendNs)
    {
        if (StampedFrameDescriptor.send(frontend, frame, frameBytes, intendedSendNs, sendNs))
        {
            return true;
        }
        // tx ring full of unreaped ids: housekeeping at the next poll
        housekeepingDue = true;
        return false;
    }

    /**
     * Returned frames first, so each is timed as soon as it is seen; then the frontend's housekeeping (tx completions,
     * xenstore changes, counters) only after frames came back, after a refused offer, or every
     * {@link #IDLE_POLLS_PER_HOUSEKEEPING} empty polls, not on every spin: the backend writes its tx responses before
     * the rx response of the same frame, so reaping them once per returned batch keeps the tx ring as free as reaping
     * them on every poll, while an idle spin reads only the rx ring.
     */
    @Override
    public int poll(final FrameReceiver receiver)
    {
        final int frames = frontend.poll(returned.to(receiver), POLL_LIMIT);
        if (frames > 0 || housekeepingDue || ++idlePolls >= IDLE_POLLS_PER_HOUSEKEEPING)
        {
            housekeepingDue = false;
            idlePolls = 0;
            frontend.doWork();
        }
        return frames;
    }

    /** @return frames the backend dropped (rx queue full, bad request), as its counters say. */
    public long drops()
    {
        return backend.counters().totalDrops();
    }

    @Override
    public void close()
    {
        io.pvnet.ring.event.RunnerStop.close(hostRunner, poller::wake); // sleep/adaptive: the host may sleep on it
        region.close();
    }

    /**
     * Host side, on the backend's thread: stamps the frame with the time it left the backend's tx half and offers it
     * to the same backend's rx half. The frame is copied first (the backend's buffer is read-only to a sink).
     */
    private static final class LoopCable implements FrameSink
    {
        private final VifBackend[] target;
        private final MutableDirectBuffer copy;

        LoopCable(final VifBackend[] target, final int frameBytes)
        {
            this.target = target;
            this.copy = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(frameBytes, VifConfig.MAX_MTU)));
        }

        @Override
        public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            if (!StampedFrameDescriptor.isStamped(buffer, offset, length))
            {
                return target[0].offer(buffer, offset, length, metadata);
            }
            if (length > copy.capacity())
            {
                // the cable's own buffer limit, not the guest's fault: the sending vif counts it as downstream
                return DropReason.DOWNSTREAM;
            }
            copy.putBytes(0, buffer, offset, length);
            copy.putLong(StampedFrameDescriptor.MID_PATH_OFFSET, System.nanoTime(), StampedFrameDescriptor.STAMP_ORDER);
            return target[0].offer(copy, 0, length, metadata);
        }
    }
}
