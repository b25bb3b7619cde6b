package io.pvnet.engine.xnb;

import io.pvnet.engine.FrameFlags;
import io.pvnet.engine.FrameSink;
import io.pvnet.engine.VifConfig;
import io.pvnet.engine.VifCounters;
import io.pvnet.engine.VifSections;
import io.pvnet.engine.netfront.Netfront;
import io.pvnet.engine.netif.TxRequestDescriptor;
import io.pvnet.checksum.offload.SegmentWindows;
import io.pvnet.engine.offload.FrameOffload;
import io.pvnet.engine.store.XenStore;
import io.pvnet.engine.store.XenbusState;
import io.pvnet.ring.BackRing;
import io.pvnet.ring.RingLayout;
import io.pvnet.ring.RingStatus;
import io.pvnet.ring.SharedRing;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.grant.GrantStatus;
import io.pvnet.ring.grant.GrantTable;
import io.pvnet.ring.grant.GrantWindow;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.pvnet.engine.netif.NetifConstants.*;

/**
 * The host half of a vif, after FreeBSD's xnb(4) with Linux netback's limits: consumes the guest's tx requests,
 * copies each packet out of the granted pages once into a private frame buffer, answers every slot and hands the frame
 * to a {@link FrameSink}; on the receive side keeps frames offered by {@link #offer} in a bounded queue and copies them
 * into the buffers the guest posted. Negotiates with the frontend through XenStore.
 * <p>
 * The backend trusts nothing in shared memory: each request slot is copied once into a private snapshot before it is
 * looked at (XSA-155); per-packet problems become error responses and counted drops; protocol violations
 * ({@link DropReason#isFatal}) disable this vif only, with the reason logged and written to the {@code error} key.
 * <p>
 * Threading: an Agrona agent; one thread calls {@link #doWork()}. {@link #offer} may be called by one other thread
 * (single producer of the rx queue); {@link #offerOrDeliver} made on the agent's own thread first hands the guest what
 * is queued, then, with the queue empty, copies the frame straight into the guest's posted buffers, without the queue's
 * copy.
 * Counters are written by this agent only, once per duty cycle.
 */
public final class Xnb implements org.agrona.concurrent.Agent
{
    private static final int TX_BATCH = 64;
    private static final int RX_BATCH = 64;
    private static final int VLAN_ETH_HLEN = 18;
    private static final int MAX_FRAME = XEN_NETIF_MAX_TX_SIZE;
    private static final long HEARTBEAT_INTERVAL_NS = 100_000_000L;
    private static final int SEGMENT_SCRATCH_BYTES = 256 * 1024;
    /**
     * Responses are published at the latest after this many bytes of packets: a guest sending or receiving 64 KiB
     * frames gets its buffers back within one frame's time, not after a whole batch of them (which left the guest
     * without tx ids and the receiving guest without posted buffers, halving TSO throughput).
     */
    static final int RESPONSE_PUSH_BYTES = 64 * 1024;
    /** Headers a segment may carry: Ethernet, two VLAN tags, IPv6 with extensions or IPv4 with options, TCP options. */
    private static final int MAX_SEGMENT_HEADERS = 256;

    private final VifConfig config;
    private final XenStore store;
    private final Region region;
    private final VifCounters counters;
    private final FrameSink sink;
    private final FrameOffload offload;
    private final EpochClock epochClock;
    private final NanoClock nanoClock;
    private final String backendDir;
    private final String frontendDir;
    private final String roleName;
    private final InterfaceSettings settings = new InterfaceSettings();

    private final TxPacket txPkt = new TxPacket();
    private final RxPacket rxPkt = new RxPacket();
    private final GrantCopyBatch batch = new GrantCopyBatch(TxAssembler.MAX_PACKET_SLOTS + 2);
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME + PAGE_SIZE));
    /** Holds every segment of one TSO frame: up to 1024 segments, each with its own copy of the headers. */
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(SEGMENT_SCRATCH_BYTES));
    private final SlotArray txSnapshot = new SlotArray(
        new UnsafeBuffer(new byte[VifSections.RING_SIZE * TX_SLOT_LENGTH]), 0, VifSections.RING_SIZE, TX_SLOT_LENGTH);
    private final SlotArray rxSnapshot = new SlotArray(
        new UnsafeBuffer(new byte[VifSections.RING_SIZE * RX_SLOT_LENGTH]), 0, VifSections.RING_SIZE, RX_SLOT_LENGTH);
    private final RxFrameQueue queue;
    private final RxDrainer rxDrainer = new RxDrainer();
    private final SegmentDeliverer segmentDeliverer = new SegmentDeliverer();
    private final RxSegmentWindows rxWindows = new RxSegmentWindows();
    private final GrantWindow rxWindow = new GrantWindow();
    /** True while an {@link RxSegmentWindows} segment has its rx request laid out in {@link #rxPkt}. */
    private boolean windowPacket;
    private final long[] pending = new long[VifCounters.KIND_COUNT];
    private final org.agrona.concurrent.CachedNanoClock offerClock = new org.agrona.concurrent.CachedNanoClock();
    /** Posted rx requests known to be unused; refreshed from the shared ring only when it runs out. */
    private int rxAvailable;
    private long creditBytes;
    private long creditWindowNs;
    private long remainingCredit;
    private long nextCreditNs;
    /** Whether tx responses were written since the last push, and the bytes of their packets. */
    private boolean txResponsesPending;
    private int txBytesUnpushed;
    /** Bytes of rx packets answered since the last push of the rx responses. */
    private int rxBytesUnpushed;
    /** Words read by {@link #prefetchTxPages}, kept so the JIT keeps the loads. */
    private long prefetched;
    /** The req_cons at which req_event was last armed (tx ring). */
    private int txEventArmedAt;

    private XenbusState state = XenbusState.UNKNOWN;
    private volatile boolean accepting;
    private boolean online = true;
    private int lastStoreChange = -1;
    private int disabledReason = DropReason.NONE;
    private static final long EXCEPTION_LOG_INTERVAL_MS = 10_000;
    private long exceptions;
    private long exceptionLoggedMs = Long.MIN_VALUE;
    private long lastHeartbeatNs;
    private long nowNs;
    /** The thread of the last duty cycle: an {@link #offer} made on it may copy straight into the guest's buffers. */
    private Thread dutyThread;
    /** Frames {@link #offer} handed straight to the guest whose outcome is in {@link #pending}, not yet flushed. */
    private long handedOverUnflushed;
    /** True while {@link #offer} delivers straight to the guest. */
    private boolean offering;

    private boolean feCsum;
    private boolean feIpv6Csum;
    private boolean feGsoV4;
    private boolean feGsoV6;

    private GrantTable grants;
    private AtomicBuffer grantTableBuffer;
    private EventChannel channel;
    private BackRing tx;
    private BackRing rx;
    private SlotArray txRing;
    private SlotArray rxRing;
    private int txSnapshotEnd;
    private int rxSnapshotEnd;
    private boolean rxResponsesPending;
    private boolean rxStalled;

    /**
     * @param counters     this vif's counters (written by this agent only).
     * @param sink         where frames from the guest go.
     * @param offload      software checksum/segmentation where a peer cannot take offloaded frames.
     */
    public Xnb(
        final VifConfig config, final XenStore store, final Region region, final VifCounters counters,
        final FrameSink sink, final FrameOffload offload, final EpochClock epochClock, final NanoClock nanoClock)
    {
        this.config = config;
        this.store = store;
        this.region = region;
        this.counters = counters;
        this.sink = sink;
        this.offload = offload;
        this.epochClock = epochClock;
        this.nanoClock = nanoClock;
        this.backendDir = config.backendDir();
        this.frontendDir = config.frontendDir();
        this.roleName = "xnb-" + config.domid() + "." + config.handle();
        this.queue = new RxFrameQueue(config.rxQueueBytes(), MAX_FRAME);
        this.settings.mtu = config.mtu();
    }

    /** Publishes the backend's features and settings and enters InitWait. Configuration time. */
    public void start()
    {
        publishFeatures();
        InterfaceSettings.publish(store, backendDir, config);
        settings.reload(store, backendDir);
        setState(XenbusState.INIT_WAIT);
    }

    private void publishFeatures()
    {
        store.write(backendDir + "/feature-sg", 1);
        store.write(backendDir + "/feature-gso-tcpv4", 1);
        store.write(backendDir + "/feature-gso-tcpv6", 1);
        store.write(backendDir + "/feature-ipv6-csum-offload", 1);
        store.write(backendDir + "/feature-rx-copy", 1);
        store.write(backendDir + "/feature-rx-flip", 0);
        store.write(backendDir + "/feature-multicast-control", 0);
        store.write(backendDir + "/feature-split-event-channels", 0);
        store.write(backendDir + "/multi-queue-max-queues", 1);
        store.write(backendDir + "/" + Netfront.FEATURE_RING_LAYOUT_PADDED, 1);
        store.write(backendDir + "/hotplug-status", "connected");
        store.remove(backendDir + "/error");
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    /** @return the backend's XenBus state. */
    public XenbusState state()
    {
        return state;
    }

    /** @return the {@link DropReason} that disabled this vif, or {@link DropReason#NONE}. */
    public int disabledReason()
    {
        return disabledReason;
    }

    /** @return whether frames flow. */
    public boolean isConnected()
    {
        return state == XenbusState.CONNECTED && disabledReason == DropReason.NONE;
    }

    /** @return the live interface settings (read on this agent's thread). */
    public InterfaceSettings settings()
    {
        return settings;
    }

    /** Beyond Xen: asks the frontend to stop (or resume) offloading transmit checksums. Configuration path. */
    public void requestNoTxChecksumOffload(final boolean stop)
    {
        store.write(backendDir + "/" + Netfront.REQUEST_NO_TX_CSUM_OFFLOAD, stop ? 1 : 0);
    }

    /** Closes the vif from the backend side (Closing, then Closed once the frontend closed). */
    public void close()
    {
        online = false;
        if (state == XenbusState.CONNECTED)
        {
            disconnect();
        }
        setState(XenbusState.CLOSING);
    }

    /** Lets a closed backend accept a frontend that comes back through Initialising. */
    public void reopen()
    {
        online = true;
        lastStoreChange = -1;
    }

    /**
     * Queues a frame for the guest (the rx path). Called by the one producer of this vif's rx queue.
     *
     * @return 0 if queued, else the {@link DropReason} (the caller counts it).
     */
    public int offer(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        return offer(buffer, offset, length, flags, gsoSize, gsoType, false);
    }

    /**
     * As {@link #offer(DirectBuffer, int, int, int, int, int)}, but when called on this agent's own thread (a crossover
     * or bridge run by the same thread as this backend), the frames queued ahead are delivered first and then, with the
     * queue empty, the frame is copied straight into the guest's posted buffers, saving the copy into the queue; it is
     * queued as usual when the guest has too few buffers posted or its checksum must be completed in place.
     *
     * @return 0 if delivered, counted as dropped by this backend, or queued; else the {@link DropReason} (the caller
     *         counts it).
     */
    public int offerOrDeliver(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        return offer(buffer, offset, length, flags, gsoSize, gsoType, true);
    }

    private int offer(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType, final boolean mayDeliver)
    {
        if (!accepting)
        {
            return DropReason.NOT_CONNECTED;
        }
        if (length <= 0 || length > MAX_FRAME)
        {
            return DropReason.RX_TOO_BIG;
        }
        if (gsoSize == 0 && length > settings.mtu + VLAN_ETH_HLEN)
        {
            return DropReason.OVERSIZE;
        }
        if (mayDeliver && Thread.currentThread() == dutyThread && isConnected() &&
            deliverOffered(buffer, offset, length, flags, gsoSize, gsoType))
        {
            // offered on this agent's own thread, after what was queued ahead: copied straight into the guest's posted
            // buffers (or counted as dropped), saving the copy into the queue; responses are pushed by processRx
            handedOverUnflushed++;
            return DropReason.NONE;
        }
        return queue.offer(buffer, offset, length, flags, gsoSize, gsoType, offerClock.nanoTime()) ?
            DropReason.NONE : DropReason.RX_QUEUE_FULL;
    }

    private boolean deliverOffered(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        offering = true;
        try
        {
            // frames queued ahead go first: drained here while the guest has buffers, so that one frame queued once
            // does not send every later offer through the queue's copy until the next duty cycle
            if (!queue.isEmpty())
            {
                // their outcomes are in pending until the next flush, as the handed-over frame's
                handedOverUnflushed += queue.drain(rxDrainer, RX_BATCH);
            }
            return queue.isEmpty() && deliverFrame(buffer, null, offset, length, flags, gsoSize, gsoType, nowNs);
        }
        finally
        {
            offering = false;
        }
    }

    @Override
    public int doWork()
    {
        nowNs = nanoClock.nanoTime();
        dutyThread = Thread.currentThread();
        // the enqueue time of offered frames only feeds the drain timeout: a per-duty-cycle clock is precise enough
        offerClock.update(nowNs);
        int work = 0;
        final int change = store.changeCounter();
        if (change != lastStoreChange)
        {
            lastStoreChange = change;
            work += onStoreChanged();
        }
        if (isConnected())
        {
            work += processTx();
            if (isConnected())
            {
                work += processRx();
            }
        }
        if (nowNs - lastHeartbeatNs >= HEARTBEAT_INTERVAL_NS)
        {
            lastHeartbeatNs = nowNs;
            counters.set(VifCounters.HEARTBEAT, epochClock.time());
        }
        flushCounters();
        return work;
    }

    @Override
    public void onClose()
    {
        accepting = false;
        setState(XenbusState.CLOSED);
    }

    // ---------------------------------------------------------------------------------------------------------- tx

    private int processTx()
    {
        int available = tx.unconsumedRequests();
        if (available == 0 && txEventArmedAt != tx.requestConsumer())
        {
            // arm req_event once per position: re-storing it on every idle poll would bounce the cache line that
            // holds req_prod between the two sides
            txEventArmedAt = tx.requestConsumer();
            available = tx.finalCheckForRequests();
        }
        if (available < 0)
        {
            fatal(DropReason.IMPOSSIBLE_REQUESTS, "tx req_prod outside the ring");
            return 0;
        }
        if (available == 0)
        {
            return 0;
        }
        final int consumerStart = tx.requestConsumer();
        final int producer = consumerStart + available;
        // snapshot each newly visible slot exactly once (a chain left incomplete is not read again)
        if (txSnapshotEnd - consumerStart < 0 || txSnapshotEnd - consumerStart > available)
        {
            txSnapshotEnd = consumerStart;
        }
        txSnapshot.copyFrom(txRing, txSnapshotEnd, producer);
        txSnapshotEnd = producer;
        prefetchTxPages(consumerStart, producer);

        int consumer = consumerStart;
        int packets = 0;
        while (consumer != producer && packets < TX_BATCH)
        {
            final int used = TxAssembler.ring2pkt(txPkt, txSnapshot, consumer, producer);
            if (used == 0)
            {
                break;
            }
            if (DropReason.isFatal(txPkt.error))
            {
                pending[VifCounters.DROP_BASE + txPkt.error]++;
                fatal(txPkt.error, "tx packet at " + Integer.toUnsignedString(consumer));
                return packets;
            }
            if (creditBytes != 0 && txPkt.isValid() && !takeCredit(txPkt.size))
            {
                // over the rate: leave the packet in the ring (already snapshotted) until the next window
                pending[VifCounters.RATE_LIMITED]++;
                break;
            }
            final boolean error = receiveTxPacket();
            TxAssembler.txpkt2rsp(txPkt, txSnapshot, txRing, tx.responseProducer(), error);
            tx.consumeRequests(used);
            for (int i = 0; i < used; i++)
            {
                tx.claimResponse();
            }
            consumer += used;
            packets++;
            txResponsesPending = true;
            txBytesUnpushed += txPkt.size;
            if (txBytesUnpushed >= RESPONSE_PUSH_BYTES)
            {
                pushTxResponses();
            }
        }
        if (txResponsesPending)
        {
            pushTxResponses();
        }
        return packets;
    }

    private void pushTxResponses()
    {
        txResponsesPending = false;
        txBytesUnpushed = 0;
        notifyIfAsked(tx.pushResponsesAndCheckNotify());
    }

    /**
     * Touches the first line of each request's data in the batch about to be processed, before any is copied: the
     * guest just wrote those lines on its own core, and loads issued back to back wait for them together, where the
     * copies one after another would each wait in turn (engine/README.md, third round). The slot after
     * an {@code NETTXF_EXTRA_INFO} request is an extra and is skipped; anything else that is not a valid grant is
     * ignored by {@link GrantTable#prefetch}.
     */
    private void prefetchTxPages(final int from, final int to)
    {
        final MutableDirectBuffer slots = txSnapshot.buffer();
        final int self = config.backendDomid();
        final int end = to - from > TX_BATCH ? from + TX_BATCH : to;
        long words = 0;
        boolean extra = false;
        for (int index = from; index != end; index++)
        {
            if (extra)
            {
                extra = false;
                continue;
            }
            final int slot = txSnapshot.offset(index);
            extra = (TxRequestDescriptor.flags(slots, slot) & NETTXF_EXTRA_INFO) != 0;
            words += grants.prefetch(self, (int)TxRequestDescriptor.gref(slots, slot), TxRequestDescriptor.offset(slots, slot));
        }
        prefetched += words;
    }

    /**
     * Linux netback's credit scheduler for the {@code rate} key: {@code creditBytes} per {@code creditWindowNs};
     * at a window's end {@code remaining = min(remaining + credit, max(131072, credit))}.
     *
     * @return whether {@code size} bytes may go now (and were taken from the credit).
     */
    private boolean takeCredit(final int size)
    {
        if (size > remainingCredit && nowNs - nextCreditNs >= 0)
        {
            remainingCredit = Math.min(remainingCredit + creditBytes, Math.max(131_072L, creditBytes));
            nextCreditNs = nowNs + creditWindowNs;
        }
        if (size > remainingCredit)
        {
            return false;
        }
        remainingCredit -= size;
        return true;
    }

    /** Reads {@code rate} ("bytes,usec"; absent, 0 or malformed = unlimited) from the backend directory. */
    private void reloadRate()
    {
        final String rate = store.read(backendDir + "/rate");
        long bytes = 0;
        long usec = 0;
        if (rate != null)
        {
            final io.pvnet.engine.store.StoreValueScanner scanner = new io.pvnet.engine.store.StoreValueScanner().wrap(rate);
            if (scanner.scanUnsigned(4))
            {
                bytes = scanner.value();
                if (scanner.literal(",") && scanner.scanUnsigned(4) && scanner.atEnd())
                {
                    usec = scanner.value();
                }
            }
        }
        final long newCredit = bytes > 0 && usec > 0 ? bytes : 0;
        final long newWindowNs = usec * 1_000L;
        if (newCredit != creditBytes || newWindowNs != creditWindowNs)
        {
            creditBytes = newCredit;
            creditWindowNs = newWindowNs;
            remainingCredit = newCredit;
            nextCreditNs = nowNs + newWindowNs;
        }
    }

    /** @return whether the packet's slots get ERROR responses. */
    private boolean receiveTxPacket()
    {
        final TxPacket pkt = txPkt;
        if (!pkt.isValid())
        {
            pending[VifCounters.DROP_BASE + pkt.error]++;
            return true;
        }
        if (!pkt.hasGso && pkt.size > settings.mtu + VLAN_ETH_HLEN)
        {
            pending[VifCounters.DROP_BASE + DropReason.OVERSIZE]++;
            return true;
        }
        batch.clear();
        final int ops = TxAssembler.txpkt2gnttab(pkt, txSnapshot, batch, 0, config.domid());
        final int self = config.backendDomid();
        for (int op = 0; op < ops; op++)
        {
            batch.status(op, grants.copyFromGrant(
                self, (int)batch.gref(op), batch.grefOffset(op), frame, batch.localOffset(op), batch.length(op)));
        }
        final int length = TxAssembler.copiedLength(batch, 0, ops);
        if (length != pkt.size)
        {
            pending[VifCounters.DROP_BASE + DropReason.COPY_FAILED]++;
            return true;
        }
        int flags = 0;
        if ((pkt.flags & NETTXF_CSUM_BLANK) != 0)
        {
            flags = FrameFlags.CSUM_PARTIAL;
            if (!settings.rxcsum && !pkt.hasGso)
            {
                if (offload.completeChecksum(frame, 0, length) != FrameOffload.OK)
                {
                    pending[VifCounters.DROP_BASE + DropReason.OFFLOAD_FAILED]++;
                    return false;
                }
                pending[VifCounters.CSUM_COMPLETED]++;
                flags = FrameFlags.DATA_VALIDATED;
            }
        }
        else if ((pkt.flags & NETTXF_DATA_VALIDATED) != 0)
        {
            flags = FrameFlags.DATA_VALIDATED;
        }
        final int status = sink.onFrame(frame, 0, length, flags, pkt.hasGso ? pkt.gsoSize : 0, pkt.gsoType);
        if (status != DropReason.NONE)
        {
            // a per-packet reason of ours is counted as itself; anything else (a port's code) as downstream
            final boolean ours = status > 0 && status < DropReason.FIRST_FATAL &&
                counters.counter(VifCounters.DROP_BASE + status) != null;
            pending[VifCounters.DROP_BASE + (ours ? status : DropReason.DOWNSTREAM)]++;
        }
        else
        {
            pending[VifCounters.TX_PACKETS]++;
            pending[VifCounters.TX_BYTES] += length;
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------- rx

    private int processRx()
    {
        final int frames = queue.isEmpty() ? 0 : queue.drain(rxDrainer, RX_BATCH);
        if (rxResponsesPending)
        {
            pushRxResponses();
        }
        return frames;
    }

    private final class RxDrainer implements ControlledMessageHandler
    {
        @Override
        public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            return drainOne(buffer, index, length);
        }
    }

    private ControlledMessageHandler.Action drainOne(final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (!isConnected())
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        final int flags = buffer.getInt(index + RxFrameQueue.FLAGS_OFFSET);
        final int gsoSize = buffer.getShort(index + RxFrameQueue.GSO_SIZE_OFFSET) & 0xFFFF;
        final int gsoType = buffer.getShort(index + RxFrameQueue.GSO_TYPE_OFFSET) & 0xFFFF;
        final long enqueuedNs = buffer.getLong(index + RxFrameQueue.TIME_OFFSET);
        return deliverFrame(buffer, buffer, index + RxFrameQueue.HEADER_LENGTH, length - RxFrameQueue.HEADER_LENGTH, flags,
            gsoSize, gsoType, enqueuedNs) ?
            ControlledMessageHandler.Action.CONTINUE : ControlledMessageHandler.Action.ABORT;
    }

    /**
     * Hands one frame to the guest: completes its checksum or splits it when the guest cannot take it as it is, and
     * copies it into posted buffers. Agent thread only.
     *
     * @return true when the frame is done with (delivered or counted as dropped), false when the guest has too few
     *         buffers posted (the frame must wait; the frontend was asked to notify).
     */
    private boolean deliverFrame(
        final DirectBuffer buffer, final MutableDirectBuffer writableFrame, final int frameOffset, final int frameLength,
        final int flags, final int gsoSize, final int gsoType, final long enqueuedNs)
    {
        final boolean partial = (flags & FrameFlags.CSUM_PARTIAL) != 0;

        final int result;
        if (gsoSize != 0 && !(settings.tso && settings.txcsum && frontendTakesGso(gsoType)))
        {
            final int segments = (frameLength + gsoSize - 1) / gsoSize;
            final int slotsNeeded = segments * ((gsoSize + MAX_SEGMENT_HEADERS + PAGE_SIZE - 1) / PAGE_SIZE);
            if (slotsNeeded > VifSections.RING_SIZE)
            {
                // could never fit the guest's ring at once: refuse instead of stalling the queue
                pending[VifCounters.DROP_BASE + DropReason.RX_TOO_BIG]++;
                result = RxAssembler.OK;
            }
            else if ((rxAvailable = Math.max(rxSpace(), 0)) < slotsNeeded)
            {
                result = RxAssembler.EAGAIN;
            }
            else
            {
                // each segment fits one page: written with its checksum straight into the guest's granted rx pages
                int made = gsoSize + MAX_SEGMENT_HEADERS <= PAGE_SIZE ?
                    offload.segment(buffer, frameOffset, frameLength, gsoSize, segments, rxWindows) :
                    FrameOffload.UNSUPPORTED;
                if (made == FrameOffload.UNSUPPORTED)
                {
                    made = offload.segment(buffer, frameOffset, frameLength, gsoSize, scratch, segmentDeliverer);
                }
                if (made > 0)
                {
                    pending[VifCounters.TSO_SEGMENTS] += made;
                }
                else
                {
                    pending[VifCounters.DROP_BASE + DropReason.OFFLOAD_FAILED]++;
                }
                result = RxAssembler.OK;
            }
        }
        else
        {
            int rxFlags = (flags & FrameFlags.DATA_VALIDATED) != 0 ? NETRXF_DATA_VALIDATED : 0;
            if (partial)
            {
                if (settings.txcsum && feCsum)
                {
                    rxFlags = NETRXF_CSUM_BLANK | NETRXF_DATA_VALIDATED;
                }
                else if (null == writableFrame)
                {
                    // completed in place: only in the queue's own copy, never in the caller's buffer
                    return false;
                }
                else if (offload.completeChecksum(writableFrame, frameOffset, frameLength) == FrameOffload.OK)
                {
                    pending[VifCounters.CSUM_COMPLETED]++;
                    rxFlags = NETRXF_DATA_VALIDATED;
                }
                else
                {
                    pending[VifCounters.DROP_BASE + DropReason.OFFLOAD_FAILED]++;
                    return true;
                }
            }
            result = deliver(buffer, frameOffset, frameLength, rxFlags, gsoSize, gsoType);
        }

        if (result == RxAssembler.EAGAIN)
        {
            if (!rxStalled)
            {
                rxStalled = true;
                pending[VifCounters.RING_FULL]++;
            }
            if (nowNs - enqueuedNs > config.rxDrainTimeoutNs())
            {
                pending[VifCounters.DROP_BASE + DropReason.RX_STALLED]++;
                return true;
            }
            // ask the frontend to notify when it posts buffers, then wait
            rx.finalCheckForRequests();
            return false;
        }
        rxStalled = false;
        return true;
    }

    private boolean frontendTakesGso(final int gsoType)
    {
        return gsoType == XEN_NETIF_GSO_TYPE_TCPV4 ? feGsoV4 : gsoType == XEN_NETIF_GSO_TYPE_TCPV6 && feGsoV6;
    }

    private final class SegmentDeliverer implements FrameOffload.SegmentSink
    {
        @Override
        public int onSegment(final DirectBuffer buffer, final int offset, final int length)
        {
            final int result = deliver(buffer, offset, length, NETRXF_DATA_VALIDATED, 0, 0);
            return result == RxAssembler.OK ? 0 : DropReason.RX_STALLED;
        }
    }

    /**
     * The grant windows {@link FrameOffload#segment(DirectBuffer, int, int, int, int, SegmentWindows)} writes segments
     * into: one posted rx buffer per segment (its slots were counted before the split), opened as a writable window
     * on the guest's granted page for that one segment, then closed and answered like {@link #deliver}.
     */
    private final class RxSegmentWindows implements SegmentWindows
    {
        @Override
        public MutableDirectBuffer open(final int index, final int length)
        {
            windowPacket = false;
            if (length > PAGE_SIZE || RxAssembler.frame2pkt(
                rxPkt, length, NETRXF_DATA_VALIDATED, 0, 0, rx.requestConsumer(), rxAvailable) != RxAssembler.OK)
            {
                pending[VifCounters.DROP_BASE + DropReason.RX_TOO_BIG]++;
                return null;
            }
            windowPacket = true;
            batch.clear();
            RxAssembler.rxpkt2gnttab(rxPkt, rxSnapshot, batch, 0, config.domid());
            final int result = grants.openWindow(
                config.backendDomid(), (int)batch.gref(0), batch.grefOffset(0), length, rxWindow);
            batch.status(0, result);
            return result == GrantStatus.OKAY ? rxWindow.buffer() : null;
        }

        @Override
        public void close(final int index, final int length, final boolean written)
        {
            if (windowPacket)
            {
                windowPacket = false;
                grants.closeWindow(rxWindow);
                respond(length, !written);
            }
        }
    }

    /** @return posted rx requests not yet used, snapshotting new ones once; negative after a fatal error. */
    private int rxSpace()
    {
        final int available = rx.unconsumedRequests();
        if (available < 0 && offering)
        {
            // found by an offer: leave the frame to the queue, and the verdict to the duty cycle (after tx, as always)
            return 0;
        }
        if (available < 0)
        {
            fatal(DropReason.RX_IMPOSSIBLE_REQUESTS, "rx req_prod outside the ring");
            return -1;
        }
        final int consumer = rx.requestConsumer();
        final int producer = consumer + available;
        if (rxSnapshotEnd - consumer < 0 || rxSnapshotEnd - consumer > available)
        {
            rxSnapshotEnd = consumer;
        }
        rxSnapshot.copyFrom(rxRing, rxSnapshotEnd, producer);
        rxSnapshotEnd = producer;
        return available;
    }

    /** Copies one frame into posted buffers. @return {@link RxAssembler#OK} (delivered or dropped) or EAGAIN. */
    private int deliver(
        final DirectBuffer buffer, final int offset, final int length, final int rxFlags, final int gsoSize,
        final int gsoType)
    {
        if (rxAvailable < RxAssembler.slotsNeeded(length, gsoSize != 0))
        {
            // read the shared producer only when what we knew of is used up
            rxAvailable = rxSpace();
            if (rxAvailable < 0)
            {
                rxAvailable = 0;
                pending[VifCounters.DROP_BASE + DropReason.RX_IMPOSSIBLE_REQUESTS]++;
                return RxAssembler.OK;
            }
        }
        final int status = RxAssembler.frame2pkt(
            rxPkt, length, rxFlags, gsoSize, gsoType, rx.requestConsumer(), rxAvailable);
        if (status == RxAssembler.EAGAIN)
        {
            return RxAssembler.EAGAIN;
        }
        if (status != RxAssembler.OK)
        {
            pending[VifCounters.DROP_BASE + DropReason.RX_TOO_BIG]++;
            return RxAssembler.OK;
        }
        batch.clear();
        final int ops = RxAssembler.rxpkt2gnttab(rxPkt, rxSnapshot, batch, offset, config.domid());
        final int self = config.backendDomid();
        boolean failed = false;
        for (int op = 0; op < ops; op++)
        {
            final int result = grants.copyToGrant(
                self, (int)batch.gref(op), batch.grefOffset(op), buffer, batch.localOffset(op), batch.length(op));
            batch.status(op, result);
            failed |= result != 0;
        }
        respond(length, failed);
        return RxAssembler.OK;
    }

    private void pushRxResponses()
    {
        rxResponsesPending = false;
        rxBytesUnpushed = 0;
        notifyIfAsked(rx.pushResponsesAndCheckNotify());
    }

    /** Writes the responses of the packet laid out in {@link #rxPkt} whose copy statuses are in {@link #batch}. */
    private void respond(final int length, final boolean failed)
    {
        final int responses = RxAssembler.rxpkt2rsp(rxPkt, rxSnapshot, batch, 0, rxRing);
        rx.consumeRequests(responses);
        rxAvailable -= responses;
        for (int i = 0; i < responses; i++)
        {
            rx.claimResponse();
        }
        rxResponsesPending = true;
        rxBytesUnpushed += length;
        if (rxBytesUnpushed >= RESPONSE_PUSH_BYTES)
        {
            pushRxResponses();
        }
        if (failed)
        {
            pending[VifCounters.DROP_BASE + DropReason.RX_COPY_FAILED]++;
        }
        else
        {
            pending[VifCounters.RX_PACKETS]++;
            pending[VifCounters.RX_BYTES] += length;
        }
    }

    // ------------------------------------------------------------------------------------------------ life cycle

    private int onStoreChanged()
    {
        settings.reload(store, backendDir);
        reloadRate();
        final XenbusState frontend = store.readState(frontendDir);
        switch (state)
        {
            case INIT_WAIT ->
            {
                if (frontend == XenbusState.CONNECTED || frontend == XenbusState.INITIALISED)
                {
                    connect();
                    return 1;
                }
            }
            case CONNECTED ->
            {
                if (frontend != XenbusState.CONNECTED)
                {
                    disconnect();
                    setState(frontend == XenbusState.CLOSED || frontend == XenbusState.UNKNOWN ?
                        XenbusState.CLOSED : XenbusState.CLOSING);
                    return 1;
                }
            }
            case CLOSING ->
            {
                if (frontend == XenbusState.CLOSED || frontend == XenbusState.UNKNOWN ||
                    frontend == XenbusState.INITIALISING)
                {
                    setState(XenbusState.CLOSED);
                    lastStoreChange = -1;
                    return 1;
                }
            }
            case CLOSED ->
            {
                if (online && frontend == XenbusState.INITIALISING)
                {
                    publishFeatures();
                    disabledReason = DropReason.NONE;
                    setState(XenbusState.INIT_WAIT);
                    return 1;
                }
            }
            default ->
            {
            }
        }
        return 0;
    }

    private void connect()
    {
        final long txRef = store.readNumber(frontendDir + "/tx-ring-ref", 4, false, -1);
        final long rxRef = store.readNumber(frontendDir + "/rx-ring-ref", 4, false, -1);
        final long port = store.readNumber(frontendDir + "/event-channel", 4, false, -1);
        if (txRef < 0 || rxRef < 0 || port != VifSections.BACKEND_PORT)
        {
            connectFailed("missing or bad tx-ring-ref/rx-ring-ref/event-channel");
            return;
        }
        if (!store.readFlag(frontendDir + "/request-rx-copy"))
        {
            connectFailed("frontend does not request rx-copy (rx-flip is not supported)");
            return;
        }
        final String layoutName = store.read(frontendDir + "/" + Netfront.RING_LAYOUT);
        final RingLayout layout = layoutName == null || layoutName.equals("xen") ? RingLayout.XEN :
            layoutName.equals("padded") ? RingLayout.PADDED : null;
        if (layout == null)
        {
            connectFailed("unknown ring-layout");
            return;
        }
        feCsum = !store.readFlag(frontendDir + "/feature-no-csum-offload");
        feIpv6Csum = store.readFlag(frontendDir + "/feature-ipv6-csum-offload");
        feGsoV4 = store.readFlag(frontendDir + "/feature-gso-tcpv4");
        feGsoV6 = store.readFlag(frontendDir + "/feature-gso-tcpv6");

        final int domid = config.domid();
        final int handle = config.handle();
        final RegionSection pagesSection = region.findSection(VifSections.pagesName(domid, handle));
        final RegionSection grantsSection = region.findSection(VifSections.grantsName(domid, handle));
        final RegionSection eventsSection = region.findSection(VifSections.eventsName(domid, handle));
        if (pagesSection == null || grantsSection == null || eventsSection == null)
        {
            connectFailed("vif sections not found in the region");
            return;
        }
        final AtomicBuffer pages = pagesSection.buffer();
        if (grants == null || grantTableBuffer != grantsSection.buffer())
        {
            try
            {
                grants = GrantTable.attach(grantsSection.buffer(), pages);
                grantTableBuffer = grantsSection.buffer();
            }
            catch (final IllegalArgumentException ex)
            {
                connectFailed("grant table: " + ex.getMessage());
                return;
            }
        }
        final int self = config.backendDomid();
        final int txFrame = GrantMapper.mapFrame(grants, grantTableBuffer, txRef, self, true);
        final int rxFrame = GrantMapper.mapFrame(grants, grantTableBuffer, rxRef, self, true);
        if (txFrame < 0 || rxFrame < 0)
        {
            connectFailed("cannot map ring grants tx-ring-ref=" + txRef + " rx-ring-ref=" + rxRef);
            return;
        }
        final SharedRing txShared = new SharedRing(new UnsafeBuffer(pages, grants.pageOffset(txFrame), PAGE_SIZE),
            TX_SLOT_LENGTH, layout);
        final SharedRing rxShared = new SharedRing(new UnsafeBuffer(pages, grants.pageOffset(rxFrame), PAGE_SIZE),
            RX_SLOT_LENGTH, layout);
        // each index read once: the guest may rewrite them between a check and a use
        final int txResponses = txShared.responseProducer();
        final int rxResponses = rxShared.responseProducer();
        if (txShared.size() != VifSections.RING_SIZE || rxShared.size() != VifSections.RING_SIZE ||
            Integer.compareUnsigned(txShared.requestProducer() - txResponses, txShared.size()) > 0 ||
            Integer.compareUnsigned(rxShared.requestProducer() - rxResponses, rxShared.size()) > 0)
        {
            connectFailed("ring indices impossible at connect");
            return;
        }
        tx = txShared.backRing();
        rx = rxShared.backRing();
        tx.attach(txResponses);
        rx.attach(rxResponses);
        txRing = new SlotArray(tx.buffer(), tx.requestOffset(0), tx.size(), TX_SLOT_LENGTH);
        rxRing = new SlotArray(rx.buffer(), rx.requestOffset(0), rx.size(), RX_SLOT_LENGTH);
        txSnapshotEnd = tx.requestConsumer();
        txEventArmedAt = tx.requestConsumer() - 1;
        rxSnapshotEnd = rx.requestConsumer();
        rxAvailable = 0;
        channel = new EventChannel(eventsSection.buffer(), VifSections.BACKEND_PORT, VifSections.FRONTEND_PORT,
            IdleMode.NOOP);
        disabledReason = DropReason.NONE;
        rxStalled = false;
        store.remove(backendDir + "/error");
        setState(XenbusState.CONNECTED);
        accepting = true;
    }

    private void connectFailed(final String reason)
    {
        System.getLogger("io.pvnet.engine.xnb").log(System.Logger.Level.WARNING,
            "vif " + config.domid() + "." + config.handle() + ": connect failed: " + reason);
        store.write(backendDir + "/error", truncate("connect: " + reason));
        setState(XenbusState.CLOSING);
    }

    private void disconnect()
    {
        accepting = false;
        final int dropped = queue.clear();
        pending[VifCounters.DROP_BASE + DropReason.NOT_CONNECTED] += dropped;
        tx = null;
        rx = null;
    }

    /** Disables this vif (never another, never the process): Linux {@code xenvif_fatal_tx_err}. Slow path. */
    private void fatal(final int reason, final String where)
    {
        if (disabledReason != DropReason.NONE)
        {
            return;
        }
        disabledReason = reason;
        accepting = false;
        pending[VifCounters.PROTOCOL_ERRORS]++;
        final String message = "fatal error; disabling device: " + DropReason.name(reason) + " (" + where + ")";
        System.getLogger("io.pvnet.engine.xnb").log(System.Logger.Level.WARNING,
            "vif " + config.domid() + "." + config.handle() + ": " + message);
        store.write(backendDir + "/error", truncate(message));
    }

    /**
     * Contains an exception thrown while serving this vif (on the agent thread or in {@link #offerOrDeliver}): the vif
     * becomes fatal with {@link DropReason#BACKEND_EXCEPTION} counted, a frontend that has not connected yet is told
     * {@code Closing}, and one log line is written at most every {@value #EXCEPTION_LOG_INTERVAL_MS} ms per vif
     * (with how many were not logged), never a stack trace. Never throws: a store that cannot be written (corrupt
     * shared memory) only leaves the vif disabled. Slow path.
     */
    public void onException(final Throwable ex)
    {
        exceptions++;
        final long nowMs = epochClock.time();
        if (exceptionLoggedMs == Long.MIN_VALUE || nowMs - exceptionLoggedMs >= EXCEPTION_LOG_INTERVAL_MS)
        {
            System.getLogger("io.pvnet.engine.xnb").log(System.Logger.Level.WARNING, "vif " + config.domid() + "." +
                config.handle() + ": disabled after " + ex.getClass().getSimpleName() + ": " + ex.getMessage() +
                (exceptions > 1 ? " (" + (exceptions - 1) + " exceptions in all before this one)" : ""));
            exceptionLoggedMs = nowMs;
        }
        pending[VifCounters.DROP_BASE + DropReason.BACKEND_EXCEPTION]++;
        accepting = false;
        if (disabledReason == DropReason.NONE)
        {
            disabledReason = DropReason.BACKEND_EXCEPTION;
            pending[VifCounters.PROTOCOL_ERRORS]++;
        }
        try
        {
            store.write(backendDir + "/error", truncate("fatal error; disabling device: backend-exception"));
            if (state != XenbusState.CONNECTED && state != XenbusState.CLOSED)
            {
                setState(XenbusState.CLOSING);
            }
        }
        catch (final RuntimeException storeUnusable)
        {
            // the vif stays disabled; the store's owner reports a corrupt store
        }
    }

    private static String truncate(final String text)
    {
        return text.length() <= 64 ? text : text.substring(0, 64);
    }

    private void notifyIfAsked(final boolean notify)
    {
        if (notify)
        {
            channel.notifyPeer();
            pending[VifCounters.NOTIFY_SENT]++;
        }
        else
        {
            pending[VifCounters.NOTIFY_SUPPRESSED]++;
        }
    }

    private void setState(final XenbusState newState)
    {
        state = newState;
        store.writeState(backendDir, newState);
        counters.set(VifCounters.BACKEND_STATE, newState.code());
    }

    private void flushCounters()
    {
        final long[] values = pending;
        for (int kind = 0; kind < values.length; kind++)
        {
            if (values[kind] != 0)
            {
                if (counters.counter(kind) != null)
                {
                    counters.add(kind, values[kind]);
                }
                values[kind] = 0;
            }
        }
        handedOverUnflushed = 0;
    }

    /** @return the interface's current MTU (this agent's thread). */
    public int mtu()
    {
        return settings.mtu;
    }

    /**
     * @return frames accepted for the guest whose outcome is not in the counters yet: those in the rx queue, and those
     *         an offer on this agent's thread handed straight to the guest since the counters were last flushed (this
     *         agent's thread, producer idle).
     */
    public long rxQueueFrames()
    {
        return queue.frames() + handedOverUnflushed;
    }

    /** @return the rx queue's bytes in use. */
    public int rxQueueBytes()
    {
        return queue.size();
    }
}
