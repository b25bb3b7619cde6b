package io.pvnet.perf.latency;

import io.pvnet.engine.FrameHandler;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.port.VifPort;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;


/**
 * The {@code switch} latency path: two vifs attached to the engine's learning {@link Bridge} as {@link VifPort}s; guest
 * A sends to guest B's MAC, guest B echoes each frame back to A's MAC, so a frame crosses the switch twice:
 * <pre>
 *   guest A: netfront.transmit -> xnb A -> bridge (learn, look up B) -> xnb B -> netfront B
 *   guest B: echo (stamps the time)  -> xnb B -> bridge (look up A)   -> xnb A -> netfront A.poll
 * </pre>
 * Both guests run on the sender thread (the echo happens inside {@link #poll}); both backends and the bridge run on
 * one host thread, as the bridge requires, busy-spinning without PAUSE. Frames: as {@link VifLatencyPath}'s, the stamp at byte 30
 * being the time guest B echoed the frame. Stages for {@code --breakdown}: {@code A to B}, {@code B to A}.
 * <p>
 * Threading: {@link #offer} and {@link #poll} from the sender thread only; the host thread is started by the
 * constructor and stopped by {@link #close()}.
 */
public final class SwitchLatencyPath implements LatencyPath
{
    private static final String[] STAGES = {"A to B", "B to A"};
    private static final int POLL_LIMIT = 64;

    private final Region region;
    private final VifFrontend frontendA;
    private final VifFrontend frontendB;
    private final VifBackend backendA;
    private final VifBackend backendB;
    private final AgentRunner hostRunner;
    private final UnsafeBuffer frame;
    private final UnsafeBuffer echo;
    private final int frameBytes;
    private final long macA;
    private final long macB;
    private final Echo echoHandler = new Echo();
    private final ReturnedFrames returned = new ReturnedFrames();
    private int echoPendingLength;

    /**
     * @param frameBytes bytes per frame, {@link VifLatencyPath#MIN_FRAME_BYTES} to 65535.
     */
    public SwitchLatencyPath(final int frameBytes)
    {
        if (frameBytes < StampedFrameDescriptor.MIN_FRAME_BYTES || frameBytes > VifConfig.MAX_MTU)
        {
            throw new IllegalArgumentException("frameBytes=" + frameBytes + " must be in " +
                StampedFrameDescriptor.MIN_FRAME_BYTES + ".." +
                VifConfig.MAX_MTU);
        }
        this.frameBytes = frameBytes;
        region = Region.createAnonymous(VifRegion.regionBytes(2));
        try
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final VifConfig configA = VifConfig.of(1, 0).withMtu(Math.max(1500, frameBytes));
            final VifConfig configB = VifConfig.of(2, 0).withMtu(Math.max(1500, frameBytes));
            macA = configA.mac();
            macB = configB.mac();
            final Bridge bridge = new Bridge(BridgeConfig.defaults(NoFrameOffload.INSTANCE));
            final VifPort portA = new VifPort("vif1.0");
            final VifPort portB = new VifPort("vif2.0");
            final int indexA = bridge.attach(portA, PortVlan.access(1));
            final int indexB = bridge.attach(portB, PortVlan.access(1));
            backendA = VifBackend.create(vifRegion, configA, bridge.ingress(indexA), NoFrameOffload.INSTANCE);
            backendB = VifBackend.create(vifRegion, configB, bridge.ingress(indexB), NoFrameOffload.INSTANCE);
            portA.backend(backendA);
            portB.backend(backendB);
            frontendA = VifFrontend.create(vifRegion, configA, backendA.counters(), NoFrameOffload.INSTANCE);
            frontendB = VifFrontend.create(vifRegion, configB, backendB.counters(), NoFrameOffload.INSTANCE);
            for (int i = 0; i < 1_000 && !connected(); i++)
            {
                frontendA.doWork();
                frontendB.doWork();
                backendA.doWork();
                backendB.doWork();
            }
            if (!connected())
            {
                throw new IllegalStateException("vifs did not connect: A=" + frontendA.state() + " B=" + frontendB.state());
            }
            frame = StampedFrameDescriptor.newFrame(frameBytes, macB, macA);
            echo = new UnsafeBuffer(ByteBuffer.allocateDirect(VifConfig.MAX_MTU));
            hostRunner = new AgentRunner(
                // spin without PAUSE (BusySpinIdleStrategy's onSpinWait gets a KVM vCPU descheduled; see FixedRateSender)
                NoOpIdleStrategy.INSTANCE, Throwable::printStackTrace, null,
                new CompositeAgent(backendA, backendB, bridge));
            AgentRunner.startOnThread(hostRunner);
        }
        catch (final RuntimeException ex)
        {
            region.close();
            throw ex;
        }
    }

    private boolean connected()
    {
        return frontendA.isConnected() && frontendB.isConnected() && backendA.isConnected() && backendB.isConnected();
    }

    /** The factory behind {@code --path switch}. */
    static LatencyPathFactory factory()
    {
        return LatencyPaths.stampedFrames("switch",
            "vif A -> xnb -> learning bridge -> xnb -> vif B echoes -> bridge -> vif A (in process)", SwitchLatencyPath::new);
    }

    @Override
    public String name()
    {
        return "switch";
    }

    @Override
    public String[] stageNames()
    {
        return STAGES.clone();
    }

    @Override
    public boolean offer(final long intendedSendNs, final long sendNs)
    {
        return StampedFrameDescriptor.send(frontendA, frame, frameBytes, intendedSendNs, sendNs);
    }

    @Override
    public int poll(final FrameReceiver receiver)
    {
        frontendA.doWork();
        frontendB.doWork();
        // guest B: echo what arrived, one frame at a time, holding one back while its tx ring is full
        if (echoPendingLength == 0 || retryEcho())
        {
            for (int i = 0; i < POLL_LIMIT && echoPendingLength == 0 && frontendB.poll(echoHandler, 1) > 0; i++)
            {
                // the handler transmitted it, or kept it pending
            }
        }
        frontendB.flush();
        return frontendA.poll(returned.to(receiver), POLL_LIMIT);
    }

    /** @return frames the backends dropped. */
    public long drops()
    {
        return backendA.counters().totalDrops() + backendB.counters().totalDrops();
    }

    /** @return whether the held-back echo went out (or there was none). */
    private boolean retryEcho()
    {
        if (frontendB.transmit(echo, 0, echoPendingLength, 0, 0, 0) != VifFrontend.OK)
        {
            return false;
        }
        echoPendingLength = 0;
        return true;
    }

    @Override
    public void close()
    {
        hostRunner.close();
        region.close();
    }

    /** Guest B: sends each frame back to A with the time it did so. */
    private final class Echo implements FrameHandler
    {
        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize)
        {
            if (!StampedFrameDescriptor.isStamped(buffer, offset, length) || length > echo.capacity())
            {
                return;
            }
            echo.putBytes(0, buffer, offset, length);
            StampedFrameDescriptor.putMacs(echo, macA, macB);
            echo.putLong(StampedFrameDescriptor.MID_PATH_OFFSET, System.nanoTime(), StampedFrameDescriptor.STAMP_ORDER);
            if (frontendB.transmit(echo, 0, length, 0, 0, 0) != VifFrontend.OK)
            {
                // B's tx ring is full: keep the frame and poll no more until it went out
                echoPendingLength = length;
            }
        }
    }
}
