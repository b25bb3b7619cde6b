package io.pvnet.engine.vif;

import io.pvnet.engine.vif.DropReason;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteOrder;

/**
 * The live counters of one vif, in an Agrona {@link CountersManager} (normally in the region's counters section, so that
 * {@code pvnet stat} reads them from another process). Each counter has type id {@link #TYPE_ID}, a 12-byte key
 * {@code (domid, handle, kind)} and the label {@code "vifDOMID.HANDLE NAME"}, for example {@code vif1.0 rx-packets}:
 * the vif as dom0 names it.
 * <p>
 * Threading: each counter has one writer: the backend agent for the backend kinds, the frontend for the {@code front-*}
 * kinds (for a guest in another process: the switch's thread serving its control connection, adding what the guest
 * reports). Writers add per batch; readers read any time ({@link AtomicCounter#get()}).
 * <p>
 * The kind constants follow the guest: {@link #TX_PACKETS} is what the guest transmitted (backend received),
 * {@link #RX_PACKETS} what the guest received (backend delivered). The <em>labels</em> follow dom0's view, as
 * {@code ip -s link show vif1.0} in dom0 and the switch's port counters: {@code TX_PACKETS} is labelled
 * {@code rx-packets} (dom0 received it from the guest), {@code RX_PACKETS} {@code tx-packets}. The frontend's own
 * kinds keep the guest's view under a {@code front-} prefix.
 */
public final class VifCounters implements AutoCloseable
{
    /** Counter type id of every vif counter. */
    public static final int TYPE_ID = 0x7601;

    /** Packets the backend took from the guest and passed on. */
    public static final int TX_PACKETS = 0;
    /** Bytes of {@link #TX_PACKETS}. */
    public static final int TX_BYTES = 1;
    /** Packets the backend delivered into the guest's buffers. */
    public static final int RX_PACKETS = 2;
    /** Bytes of {@link #RX_PACKETS}. */
    public static final int RX_BYTES = 3;
    /** Checksums completed in software. */
    public static final int CSUM_COMPLETED = 4;
    /** TSO segments made in software. */
    public static final int TSO_SEGMENTS = 5;
    /** Times the backend found no posted rx buffers for a waiting frame. */
    public static final int RING_FULL = 6;
    /** Event-channel notifications the backend sent. */
    public static final int NOTIFY_SENT = 7;
    /** Notifications the backend did not need to send (event suppression). */
    public static final int NOTIFY_SUPPRESSED = 8;
    /** Protocol violations (each disables the vif). */
    public static final int PROTOCOL_ERRORS = 9;
    /** Backend heartbeat, epoch ms. */
    public static final int HEARTBEAT = 10;
    /** The backend's XenBus state. */
    public static final int BACKEND_STATE = 11;
    /** Frames the frontend transmitted. */
    public static final int FRONT_TX_PACKETS = 12;
    /** Times the frontend could not transmit: ring full or no free ids. */
    public static final int FRONT_TX_BUSY = 13;
    /** Frames the frontend received. */
    public static final int FRONT_RX_PACKETS = 14;
    /** Receive responses the frontend dropped (error status, bad offsets, too many slots). */
    public static final int FRONT_RX_ERRORS = 15;
    /** Notifications the frontend sent. */
    public static final int FRONT_NOTIFY_SENT = 16;
    /** Notifications the frontend did not need to send. */
    public static final int FRONT_NOTIFY_SUPPRESSED = 17;
    /**
     * The frontend's kinds, {@link #FRONT_TX_PACKETS} to {@link #FRONT_NOTIFY_SUPPRESSED}, consecutive: what a guest in
     * another process reports over its control connection.
     */
    public static final int FRONT_KIND_COUNT = FRONT_NOTIFY_SUPPRESSED - FRONT_TX_PACKETS + 1;
    /** Times the backend left a packet in the ring because the {@code rate} credit was used up. */
    public static final int RATE_LIMITED = 18;
    /**
     * Connects the backend refused (a missing or bad key, a ring it cannot map, a queue count out of range: the reason is
     * in the backend's {@code error} key); the vif stays unconnected, never partly connected.
     */
    public static final int CONNECT_FAILED = 19;
    /** First drop counter: kind {@code DROP_BASE + reason} counts drops of {@link DropReason} {@code reason}. */
    public static final int DROP_BASE = 20;
    /** One past the last drop counter. */
    public static final int DROP_END = DROP_BASE + DropReason.COUNT;
    /**
     * Kicks of the guest (its eventfd, or a notification of an armed port) after which the host's poll of the vif found
     * no work (XSA-332); written by the host thread's {@code VifPoller}.
     */
    public static final int KICKS_SPURIOUS = DROP_END;
    /** Times the host stopped listening to the guest's kicks for a while after a run of spurious ones. */
    public static final int KICK_BACKOFFS = DROP_END + 1;
    /** Number of kinds. */
    public static final int KIND_COUNT = DROP_END + 2;

    private static final String[] NAMES = {
        "rx-packets", "rx-bytes", "tx-packets", "tx-bytes", "csum-completed", "tso-segments", "ring-full", "notify-sent",
        "notify-suppressed", "protocol-errors", "heartbeat-ms", "backend-state", "front-tx-packets", "front-tx-busy",
        "front-rx-packets", "front-rx-errors", "front-notify-sent", "front-notify-suppressed", "rate-limited",
        "connect-failed"};
    private static final String[] LATER_NAMES = {"kicks-spurious", "kick-backoffs"};

    private final AtomicCounter[] counters = new AtomicCounter[KIND_COUNT];
    private final int domid;
    private final int handle;

    /**
     * Allocates the counters of vif {@code domid.handle}. Configuration time only.
     *
     * @param manager the region's counters manager (host side); the counters stay until {@link #close()}.
     * @param domid   the guest's domain id.
     * @param handle  the vif's handle.
     */
    public VifCounters(final CountersManager manager, final int domid, final int handle)
    {
        this.domid = domid;
        this.handle = handle;
        for (int kind = 0; kind < KIND_COUNT; kind++)
        {
            if (kind >= DROP_BASE && kind < DROP_END && !countsDrops(kind - DROP_BASE))
            {
                continue;
            }
            final int k = kind;
            counters[kind] = manager.newCounter(label(domid, handle, kind), TYPE_ID, key -> writeKey(key, domid, handle, k));
        }
    }

    private static boolean countsDrops(final int reason)
    {
        return reason != DropReason.NONE && reason != DropReason.INCOMPLETE && !DropReason.name(reason).startsWith("reserved");
    }

    private VifCounters(final int domid, final int handle)
    {
        this.domid = domid;
        this.handle = handle;
    }

    /**
     * Attaches to the counters of vif {@code domid.handle} that another process allocated (a guest process writing its
     * frontend counters into the host's region). Configuration time.
     *
     * @param reader the counters of the region, as the guest's process maps them.
     * @param domid  the guest's domain id.
     * @param handle the vif's handle.
     * @return the counters, or null when the vif has none in {@code reader}.
     */
    public static VifCounters attach(final CountersReader reader, final int domid, final int handle)
    {
        final VifCounters attached = new VifCounters(domid, handle);
        final boolean[] found = new boolean[1];
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == TYPE_ID && keyBuffer.getInt(0, ByteOrder.LITTLE_ENDIAN) == domid &&
                keyBuffer.getInt(4, ByteOrder.LITTLE_ENDIAN) == handle)
            {
                final int kind = keyKind(keyBuffer, 0);
                if (kind >= 0 && kind < KIND_COUNT)
                {
                    attached.counters[kind] = new AtomicCounter(reader.valuesBuffer(), counterId);
                    found[0] = true;
                }
            }
        });
        return found[0] ? attached : null;
    }

    /**
     * {@return the name of a counter kind, as in its label}
     *
     * @param kind a kind, {@code 0..KIND_COUNT-1}.
     */
    public static String kindName(final int kind)
    {
        return kind < DROP_BASE ? NAMES[kind] :
            kind < DROP_END ? "drop-" + DropReason.name(kind - DROP_BASE) : LATER_NAMES[kind - DROP_END];
    }

    /**
     * {@return the label of a counter: {@code vifD.H NAME}}
     *
     * @param domid  the guest's domain id.
     * @param handle the vif's handle.
     * @param kind   the counter's kind.
     */
    public static String label(final int domid, final int handle, final int kind)
    {
        return VifConfig.name(domid, handle) + " " + kindName(kind);
    }

    /**
     * Writes the 12-byte key of a counter: domid, handle and kind, each a little-endian int.
     *
     * @param key    the counter's key buffer.
     * @param domid  the guest's domain id.
     * @param handle the vif's handle.
     * @param kind   the counter's kind.
     */
    public static void writeKey(final MutableDirectBuffer key, final int domid, final int handle, final int kind)
    {
        key.putInt(0, domid, ByteOrder.LITTLE_ENDIAN);
        key.putInt(4, handle, ByteOrder.LITTLE_ENDIAN);
        key.putInt(8, kind, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@return the kind in a counter's key, read through a {@link CountersReader}}
     *
     * @param keyBuffer the buffer holding the key.
     * @param keyOffset where the key starts in {@code keyBuffer}.
     */
    public static int keyKind(final org.agrona.DirectBuffer keyBuffer, final int keyOffset)
    {
        return keyBuffer.getInt(keyOffset + 8, ByteOrder.LITTLE_ENDIAN);
    }

    /** {@return the guest's domain id of the vif these counters belong to} */
    public int domid()
    {
        return domid;
    }

    /** {@return the handle of the vif these counters belong to} */
    public int handle()
    {
        return handle;
    }

    /**
     * {@return the counter of {@code kind}, or null for a reason that is never counted}
     *
     * @param kind a kind, {@code 0..KIND_COUNT-1}.
     */
    public AtomicCounter counter(final int kind)
    {
        return counters[kind];
    }

    /**
     * {@return the current value of {@code kind} (0 for an uncounted reason)} Any thread.
     *
     * @param kind a kind, {@code 0..KIND_COUNT-1}.
     */
    public long get(final int kind)
    {
        final AtomicCounter counter = counters[kind];
        return counter == null ? 0 : counter.get();
    }

    /**
     * {@return drops of {@link DropReason} {@code reason}} Any thread.
     *
     * @param reason a {@link DropReason} code.
     */
    public long drops(final int reason)
    {
        return get(DROP_BASE + reason);
    }

    /**
     * {@return drops of the reasons counted for packets the guest sent ({@link DropReason#isFromGuest}): with
     * {@code rx-packets}, what the backend took from the guest's tx ring} Any thread.
     */
    public long dropsFromGuest()
    {
        return drops(DropReason.FROM_GUEST);
    }

    /**
     * {@return drops of the reasons counted for frames offered for the guest ({@link DropReason#isToGuest}): with
     * {@code tx-packets} and what is queued, what the backend accepted for the guest (a frame it split in software
     * counted as its segments, see {@link DropReason})} Any thread.
     */
    public long dropsToGuest()
    {
        return drops(DropReason.TO_GUEST);
    }

    private long drops(final String direction)
    {
        long total = 0;
        for (int reason = 0; reason < DropReason.COUNT; reason++)
        {
            total += DropReason.direction(reason).equals(direction) ? drops(reason) : 0;
        }
        return total;
    }

    /** {@return drops of every reason} */
    public long totalDrops()
    {
        long total = 0;
        for (int reason = 0; reason < DropReason.COUNT; reason++)
        {
            total += drops(reason);
        }
        return total;
    }

    /**
     * Single-writer add: a plain read and a release store (no locked instruction). Only the counter's owning agent
     * calls it.
     *
     * @param kind  a counted kind.
     * @param delta the amount added; 0 writes nothing.
     */
    public void add(final int kind, final long delta)
    {
        if (delta != 0)
        {
            final AtomicCounter counter = counters[kind];
            counter.setRelease(counter.getPlain() + delta);
        }
    }

    /**
     * Single-writer set (a release store), for gauges such as the heartbeat and the backend state.
     *
     * @param kind  a counted kind.
     * @param value the new value.
     */
    public void set(final int kind, final long value)
    {
        counters[kind].setRelease(value);
    }

    /** Frees the counters. */
    @Override
    public void close()
    {
        for (final AtomicCounter counter : counters)
        {
            if (counter != null)
            {
                counter.close();
            }
        }
    }
}
