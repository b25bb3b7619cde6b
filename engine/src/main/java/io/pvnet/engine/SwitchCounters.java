package io.pvnet.engine;

import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.ring.event.DeadlineWaitPoint;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Puts the switch's counters that live on its heap (the bridge's or router's per-port {@link PortCounters}, each
 * port's own counters, the router's totals) into the region's counters file beside the vif counters, so that
 * {@code pvnet stat}, the Prometheus endpoint or any Agrona {@code CountersReader} sees them live from another process.
 * <p>
 * The one place where such counters are registered. Labels follow dom0's view, one word each, for example
 * {@code bridge vif1.0 rx-frames} (frames the bridge took from the vif), {@code bridge vif1.0 tx-drop-queue-full},
 * {@code port pvtap0 rx-frames}, {@code pcap cap.pcapng tx-frames}, {@code router drop-no-route}. Type id
 * {@link #TYPE_ID}; key: the label's UTF-8 bytes (at most 100).
 * <p>
 * Threading: registration ({@link #port}, {@link #router}) at configuration time; the copying runs on the switch
 * thread (the thread that writes the heap counters) as part of its duty cycle ({@link #publishingAfter}), so one copy
 * is a consistent snapshot ({@code offered = sent + dropped} holds in it). No allocation after registration. When the
 * counters file is full, the rest is not published and {@link #unpublished()} says how many.
 * <p>
 * When a copy is made: once a duty cycle did work since the last copy, {@link #PUBLISH_INTERVAL_NS} after that copy
 * (at once when it is older). A reader therefore sees every count at most {@link #PUBLISH_INTERVAL_NS}
 * after the work that made it, busy or idle: the thread's sleep ends for the copy that is due
 * ({@link #nanosToNextDue}). An idle switch copies nothing (at a thousand vifs a copy reads twenty thousand values);
 * every heap counter changes only in a duty cycle that returns work (a frame taken, a timer that fired, a capture
 * flushed).
 */
public final class SwitchCounters implements DeadlineWaitPoint.TimedWork
{
    /**
     * A router's totals as this class reads them (the router implements it): declared here so that this package does
     * not depend on the router's, which depends on it through the bridge. Read on the router's thread.
     */
    public interface RouterTotals
    {
        /** {@return frames handed to the router's ingress sinks} */
        long offered();

        /** {@return frames an egress port took} */
        long forwarded();

        /** {@return ARP and NDP frames the router consumed} */
        long local();

        /**
         * {@return frames the router dropped for {@code reason}}
         *
         * @param reason a {@link PortDropReason} code; others give 0.
         */
        long drops(int reason);

        /** {@return frames an egress port refused} */
        long egressDrops();

        /** {@return frames waiting for a next hop now} */
        int pending();
    }

    /** Counter type id of every switch counter (vif counters are {@link io.pvnet.engine.vif.VifCounters#TYPE_ID}). */
    public static final int TYPE_ID = 0x7602;
    /** How long after work its counts reach the counters file at most. */
    public static final long PUBLISH_INTERVAL_NS = 100_000_000L;

    private static final int MAX_KEY_BYTES = 100;

    private final CountersManager manager;
    private final NanoClock clock;
    /*
     * One entry per published counter, in registration order: where the file's counter is, what it copies (a slot of a
     * port's counters, read directly, or a router total through its supplier) and the value last written there (a
     * value that did not change is not written, so an unchanged counter's line of the file is not touched).
     */
    private AtomicCounter[] targets = new AtomicCounter[64];
    private PortCounters[] ports = new PortCounters[64];
    private int[] slots = new int[64];
    private LongSupplier[] suppliers = new LongSupplier[64];
    private long[] copied = new long[64];
    private int published;
    private int unpublished;
    private long lastPublishNs;
    /** A duty cycle did work since the last copy: a copy is due {@link #PUBLISH_INTERVAL_NS} after that copy. */
    private boolean workSincePublish;

    /**
     * Publishes into a region's counters; construction and registration at configuration time.
     *
     * @param manager the counters of the region the switch created.
     */
    public SwitchCounters(final CountersManager manager)
    {
        this(manager, SystemNanoClock.INSTANCE);
    }

    /**
     * Publishes into a region's counters, timing the copies on {@code clock}.
     *
     * @param manager the counters of the region the switch created.
     * @param clock   the monotonic clock of {@link #PUBLISH_INTERVAL_NS} and {@link #nanosToNextDue}.
     */
    public SwitchCounters(final CountersManager manager, final NanoClock clock)
    {
        this.manager = manager;
        this.clock = clock;
        this.lastPublishNs = clock.nanoTime();
    }

    /**
     * Registers every slot of one port's counters.
     *
     * @param scope    who counts: {@code bridge} or {@code router} for the switch's view of the port, {@code port}
     *                 for a TAP or VXLAN port's own counters, {@code pcap} for a capture.
     * @param name     the port's name, for example {@code vif1.0} or {@code pvtap0}.
     * @param counters the heap counters.
     */
    public void port(final String scope, final String name, final PortCounters counters)
    {
        final int first = published;
        final String prefix = scope + " " + name + " ";
        add(prefix + "rx-frames", counters, PortCounters.RX_FRAMES, null);
        add(prefix + "rx-bytes", counters, PortCounters.RX_BYTES, null);
        add(prefix + "tx-frames", counters, PortCounters.TX_FRAMES, null);
        add(prefix + "tx-bytes", counters, PortCounters.TX_BYTES, null);
        add(prefix + "tx-offered", counters, PortCounters.TX_OFFERED, null);
        add(prefix + "rx-refused", counters, PortCounters.RX_REFUSED, null);
        add(prefix + "rx-errors", counters, PortCounters.RX_ERRORS, null);
        for (int reason = PortDropReason.FIRST; reason < PortDropReason.END; reason++)
        {
            add(prefix + "tx-drop-" + PortDropReason.name(reason), counters,
                PortCounters.TX_DROP_BASE + reason - PortDropReason.FIRST, null);
        }
        for (int reason = PortDropReason.FIRST; reason < PortDropReason.END; reason++)
        {
            add(prefix + "rx-drop-" + PortDropReason.name(reason), counters,
                PortCounters.RX_DROP_BASE + reason - PortDropReason.FIRST, null);
        }
        copy(first, published);
    }

    /**
     * Registers the router's totals: offered, forwarded, local, each drop reason, egress drops, pending.
     *
     * @param router the switch's router ({@code io.pvnet.engine.router.Router}); its totals are read by this agent,
     *               on the router's thread.
     */
    public void router(final RouterTotals router)
    {
        final int first = published;
        add("router offered", router::offered);
        add("router forwarded", router::forwarded);
        add("router local", router::local);
        for (int reason = PortDropReason.FIRST; reason < PortDropReason.END; reason++)
        {
            final int r = reason;
            add("router drop-" + PortDropReason.name(reason), () -> router.drops(r));
        }
        add("router egress-drops", router::egressDrops);
        add("router pending", router::pending);
        copy(first, published);
    }

    /** {@return counters that did not fit in the counters file (not published)} */
    public int unpublished()
    {
        return unpublished;
    }

    /** {@return counters published} */
    public int published()
    {
        return published;
    }

    /** Copies every registered value now (switch thread, or any thread before the agents start). */
    public void publish()
    {
        copy(0, published);
    }

    private void copy(final int from, final int to)
    {
        final AtomicCounter[] targets = this.targets;
        final PortCounters[] ports = this.ports;
        final int[] slots = this.slots;
        final LongSupplier[] suppliers = this.suppliers;
        final long[] copied = this.copied;
        for (int i = from; i < to; i++)
        {
            final PortCounters port = ports[i];
            final long value = port != null ? port.get(slots[i]) : suppliers[i].getAsLong();
            if (value != copied[i])
            {
                copied[i] = value;
                targets[i].setRelease(value);
            }
        }
    }

    /**
     * The switch thread's agent: runs {@code dutyCycle} (the agents that write the heap counters) and copies the
     * counters when one is due; on close, after {@code dutyCycle} closed, copies the last values (they stay readable
     * until the region is removed). Its sleeps must end at {@link #nanosToNextDue} (a {@link DeadlineWaitPoint}).
     *
     * @param dutyCycle the switch thread's work.
     * @return {@code dutyCycle} with the copies; its work is {@code dutyCycle}'s (a copy is not work: it must not keep
     * an idle thread polling).
     */
    public Agent publishingAfter(final Agent dutyCycle)
    {
        return new Agent()
        {
            @Override
            public void onStart()
            {
                dutyCycle.onStart();
            }

            @Override
            public int doWork() throws Exception
            {
                final int work = dutyCycle.doWork();
                afterDutyCycle(work);
                return work;
            }

            @Override
            public void onClose()
            {
                try
                {
                    dutyCycle.onClose();
                }
                finally
                {
                    publish();
                }
            }

            @Override
            public String roleName()
            {
                return dutyCycle.roleName();
            }
        };
    }

    /**
     * Copies the counters if a copy is due after a duty cycle that did {@code work}. Switch thread.
     *
     * @param work what the duty cycle did (0: nothing).
     */
    void afterDutyCycle(final int work)
    {
        workSincePublish |= work > 0;
        if (workSincePublish)
        {
            final long nowNs = clock.nanoTime();
            if (nowNs - lastPublishNs >= PUBLISH_INTERVAL_NS)
            {
                lastPublishNs = nowNs;
                workSincePublish = false;
                publish();
            }
        }
    }

    /**
     * When the next copy is due: {@link #PUBLISH_INTERVAL_NS} after the last one when work was done since. Switch
     * thread.
     *
     * @param nowNs now on this object's clock.
     * @return ns until then (0 or less: now), {@link Long#MAX_VALUE} when nothing changed since the last copy.
     */
    @Override
    public long nanosToNextDue(final long nowNs)
    {
        return workSincePublish ? lastPublishNs + PUBLISH_INTERVAL_NS - nowNs : Long.MAX_VALUE;
    }

    private void add(final String label, final LongSupplier source)
    {
        add(label, null, 0, source);
    }

    /** Registers one counter: a slot of {@code port}, or {@code source} when {@code port} is null. */
    private void add(final String label, final PortCounters port, final int slot, final LongSupplier source)
    {
        final byte[] key = label.getBytes(StandardCharsets.UTF_8);
        final AtomicCounter counter;
        try
        {
            counter = manager.newCounter(label, TYPE_ID, buffer ->
            {
                final int length = Math.min(key.length, MAX_KEY_BYTES);
                buffer.putInt(0, length, ByteOrder.LITTLE_ENDIAN);
                buffer.putBytes(4, key, 0, length);
            });
        }
        catch (final IllegalStateException ex)
        {
            unpublished++; // the counters file is full
            return;
        }
        if (published == targets.length)
        {
            final int capacity = 2 * published;
            targets = Arrays.copyOf(targets, capacity);
            ports = Arrays.copyOf(ports, capacity);
            slots = Arrays.copyOf(slots, capacity);
            suppliers = Arrays.copyOf(suppliers, capacity);
            copied = Arrays.copyOf(copied, capacity);
        }
        counter.setRelease(0); // as copied[] starts: a value left unchanged is never written
        targets[published] = counter;
        ports[published] = port;
        slots[published] = slot;
        suppliers[published] = source;
        copied[published] = 0;
        published++;
    }
}
