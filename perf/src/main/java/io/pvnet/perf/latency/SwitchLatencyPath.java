package io.pvnet.perf.latency;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.bridge.Bridge;
import io.pvnet.engine.bridge.BridgeConfig;
import io.pvnet.engine.offload.NoFrameOffload;
import io.pvnet.engine.bridge.PortVlan;
import io.pvnet.engine.port.ForwardingPort;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.vif.VifPort;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.region.Region;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.UnsafeBuffer;

import static io.pvnet.perf.latency.StampedFrameDescriptor.SEQUENCE_OFFSET;
import static io.pvnet.perf.latency.StampedFrameDescriptor.STAMP_ORDER;

/**
 * The {@code switch} latency path: two vifs attached to the engine's learning {@link Bridge} as {@link VifPort}s; guest
 * A sends to guest B's MAC, guest B echoes each frame back to A's MAC, so a frame crosses the switch twice:
 * <pre>
 *   guest A: netfront.transmit -> tx ring A -> xnb A -> bridge (learn, look up B) -> xnb B -> rx ring B -> netfront B
 *   guest B: echo (stamps the time) -> tx ring B -> xnb B -> bridge (look up A) -> xnb A -> rx ring A -> netfront A.poll
 * </pre>
 * Both guests run on the sender thread (the echo happens inside {@link #poll}); both backends and the bridge run on
 * one host thread, as the bridge requires, busy-spinning without PAUSE by default.
 * <p>
 * Stages for {@code --breakdown}, per direction: {@code tx ring} (sent until the duty cycle of the backend that took
 * it began), {@code xnb tx} (until the backend handed it to the bridge: request parsing and grant copy), {@code bridge}
 * (until the bridge handed it to the other port), {@code xnb rx+ring} (until the guest polled it: the backend's rx
 * queue, the grant copy into the guest's buffer and the rx ring). The host thread writes its four stamps per direction
 * into a table indexed by the frame's sequence number (byte 38), read by the sender thread when the frame is back; the
 * echo's time travels in the frame (byte 30).
 * <p>
 * Threading: {@link #offer} and {@link #poll} from the sender thread only; the host thread is started by the
 * constructor and stopped by {@link #close()}.
 */
public final class SwitchLatencyPath implements LatencyPath
{
    private static final String[] STAGES = {
        "A tx ring", "xnb A tx", "bridge A>B", "xnb B rx+ring", "B tx ring", "xnb B tx", "bridge B>A", "xnb A rx+ring"};
    private static final int POLL_LIMIT = 64;
    /** Frames whose host stamps are kept; far more than can be in flight (rings of 256, rx queues of 512 KiB). */
    private static final int TABLE_FRAMES = 1 << 14;
    /** Longs per frame in the table: one 64-byte line. */
    private static final int STRIDE = 8;
    // table slots of one frame; the host writes them, the sender reads them once the frame is back
    private static final int A_TAKEN = 0;
    private static final int A_TO_BRIDGE = 1;
    private static final int A_FROM_BRIDGE = 2;
    private static final int B_TAKEN = 3;
    private static final int B_TO_BRIDGE = 4;
    private static final int B_FROM_BRIDGE = 5;
    private static final int SEQUENCE = 7;

    private final Region region;
    private final VifFrontend frontendA;
    private final VifFrontend frontendB;
    private final VifBackend backendA;
    private final VifBackend backendB;
    private final AgentRunner hostRunner;
    private final UnsafeBuffer frame;
    private final int frameBytes;
    private final EchoGuest guestB;
    private final long[] hostStamps = new long[TABLE_FRAMES * STRIDE];
    private final ReturnedFrames returned = new ReturnedFrames(STAGES.length - 1, this::fillStamps);
    private int sequence;

    /**
     * @param frameBytes bytes per frame, {@link StampedFrameDescriptor#MIN_FRAME_BYTES} to 65535.
     */
    public SwitchLatencyPath(final int frameBytes)
    {
        this(frameBytes, IdleMode.NOOP);
    }

    /**
     * @param frameBytes bytes per frame, {@link StampedFrameDescriptor#MIN_FRAME_BYTES} to 65535.
     * @param idle       how the host thread waits when there is no work; {@link IdleMode#NOOP} spins without PAUSE.
     */
    public SwitchLatencyPath(final int frameBytes, final IdleMode idle)
    {
        if (frameBytes < StampedFrameDescriptor.MIN_FRAME_BYTES || frameBytes > VifConfig.MAX_MTU)
        {
            throw new IllegalArgumentException("frameBytes=" + frameBytes + " must be in " +
                StampedFrameDescriptor.MIN_FRAME_BYTES + ".." + VifConfig.MAX_MTU);
        }
        this.frameBytes = frameBytes;
        region = Region.createAnonymous(VifRegion.regionBytes(2));
        try
        {
            final VifRegion vifRegion = VifRegion.create(region);
            final VifConfig configA = VifConfig.of(1, 0).withMtu(Math.max(1500, frameBytes));
            final VifConfig configB = VifConfig.of(2, 0).withMtu(Math.max(1500, frameBytes));
            final Bridge bridge = new Bridge(BridgeConfig.defaults(NoFrameOffload.INSTANCE));
            final VifPort portA = new VifPort("vif1.0");
            final VifPort portB = new VifPort("vif2.0");
            // a frame leaving through B's port went A to B
            final int indexA = bridge.attach(new StampingPort(portA, B_FROM_BRIDGE), PortVlan.access(1));
            final int indexB = bridge.attach(new StampingPort(portB, A_FROM_BRIDGE), PortVlan.access(1));
            final StampingAgent hostA = new StampingAgent();
            final StampingAgent hostB = new StampingAgent();
            backendA = VifBackend.create(vifRegion, configA,
                new StampingIngress(bridge.ingress(indexA), hostA, A_TAKEN, A_TO_BRIDGE), NoFrameOffload.INSTANCE);
            backendB = VifBackend.create(vifRegion, configB,
                new StampingIngress(bridge.ingress(indexB), hostB, B_TAKEN, B_TO_BRIDGE), NoFrameOffload.INSTANCE);
            hostA.backend = backendA;
            hostB.backend = backendB;
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
            frame = StampedFrameDescriptor.newFrame(frameBytes, configB.mac(), configA.mac());
            guestB = new EchoGuest(frontendB);
            hostRunner = new AgentRunner(
                // NOOP by default: spin without PAUSE (BusySpin's onSpinWait gets a KVM vCPU descheduled; FixedRateSender)
                idle.newIdleStrategy(), Throwable::printStackTrace, null, new CompositeAgent(hostA, hostB, bridge));
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
        frame.putInt(SEQUENCE_OFFSET, sequence, STAMP_ORDER);
        if (!StampedFrameDescriptor.send(frontendA, frame, frameBytes, intendedSendNs, sendNs))
        {
            return false;
        }
        sequence++;
        return true;
    }

    @Override
    public int poll(final FrameReceiver receiver)
    {
        frontendA.doWork();
        // guest B echoes what arrived
        guestB.step();
        return frontendA.poll(returned.to(receiver), POLL_LIMIT);
    }

    /** @return frames the backends dropped. */
    public long drops()
    {
        return backendA.counters().totalDrops() + backendB.counters().totalDrops();
    }

    @Override
    public void close()
    {
        hostRunner.close();
        region.close();
    }

    /** @return the table index of the frame in {@code buffer}, whose sequence number it records. */
    private static int slot(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getInt(offset + SEQUENCE_OFFSET, STAMP_ORDER) & (TABLE_FRAMES - 1)) * STRIDE;
    }

    /** A backend's duty cycle, remembering when it began: a frame it hands on left the tx ring at about that time. */
    private static final class StampingAgent implements Agent
    {
        VifBackend backend;
        long cycleStartNs;

        @Override
        public int doWork()
        {
            cycleStartNs = System.nanoTime();
            return backend.doWork();
        }

        @Override
        public void onClose()
        {
            backend.onClose();
        }

        @Override
        public String roleName()
        {
            return backend.roleName();
        }
    }

    /** Between a backend and the bridge, on the host thread: stamps when the frame was taken and reached the bridge. */
    private final class StampingIngress implements FrameSink
    {
        private final FrameSink bridgeIngress;
        private final StampingAgent host;
        private final int takenIndex;
        private final int toBridgeIndex;

        StampingIngress(final FrameSink bridgeIngress, final StampingAgent host, final int takenIndex,
            final int toBridgeIndex)
        {
            this.bridgeIngress = bridgeIngress;
            this.host = host;
            this.takenIndex = takenIndex;
            this.toBridgeIndex = toBridgeIndex;
        }

        @Override
        public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            if (StampedFrameDescriptor.isStamped(buffer, offset, length))
            {
                final int slot = slot(buffer, offset);
                if (takenIndex == A_TAKEN)
                {
                    hostStamps[slot + SEQUENCE] = buffer.getInt(offset + SEQUENCE_OFFSET, STAMP_ORDER);
                }
                // a frame that came in during the cycle's first poll of the ring was taken when it was sent
                final long sentNs = buffer.getLong(offset + (takenIndex == A_TAKEN ?
                    StampedFrameDescriptor.SEND_OFFSET : StampedFrameDescriptor.MID_PATH_OFFSET), STAMP_ORDER);
                hostStamps[slot + takenIndex] = Math.max(host.cycleStartNs, sentNs);
                hostStamps[slot + toBridgeIndex] = System.nanoTime();
            }
            return bridgeIngress.onFrame(buffer, offset, length, metadata);
        }
    }

    /** A bridge port that stamps when the bridge handed a frame to it, then gives it to its vif. */
    private final class StampingPort extends ForwardingPort
    {
        private final int fromBridgeIndex;

        StampingPort(final Port port, final int fromBridgeIndex)
        {
            super(port);
            this.fromBridgeIndex = fromBridgeIndex;
        }

        @Override
        public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
        {
            if (StampedFrameDescriptor.isStamped(buffer, offset, length))
            {
                hostStamps[slot(buffer, offset) + fromBridgeIndex] = System.nanoTime();
            }
            return super.onFrame(buffer, offset, length, metadata);
        }
    }

    /**
     * Guest A's stamps of a returned frame in stage order, the host's from the table (a frame whose slot was reused
     * meanwhile gets the send or echo time for them, so the neighbouring stages take its time).
     */
    private void fillStamps(
        final DirectBuffer buffer, final int offset, final long sendNs, final long echoNs, final long[] stamps)
    {
        final int slot = slot(buffer, offset);
        final boolean kept = hostStamps[slot + SEQUENCE] == buffer.getInt(offset + SEQUENCE_OFFSET, STAMP_ORDER);
        stamps[0] = kept ? hostStamps[slot + A_TAKEN] : sendNs;
        stamps[1] = kept ? hostStamps[slot + A_TO_BRIDGE] : sendNs;
        stamps[2] = kept ? hostStamps[slot + A_FROM_BRIDGE] : sendNs;
        stamps[3] = echoNs;
        stamps[4] = kept ? hostStamps[slot + B_TAKEN] : echoNs;
        stamps[5] = kept ? hostStamps[slot + B_TO_BRIDGE] : echoNs;
        stamps[6] = kept ? hostStamps[slot + B_FROM_BRIDGE] : echoNs;
    }
}
