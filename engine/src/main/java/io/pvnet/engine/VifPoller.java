package io.pvnet.engine;

import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventSelector;
import io.pvnet.ring.event.WaitPoint;
import org.agrona.concurrent.Agent;

import java.util.ArrayList;
import java.util.List;

/**
 * One host thread serving many vif backends NAPI-style, with one place to sleep: the {@link EventSelector} whose bits
 * the guests raise (through their event channels, only when the backend's port is armed). A duty cycle takes the raised
 * bits, polls each active vif (each {@code doWork()} handles at most a batch of 64 packets per direction, so a busy vif
 * cannot starve the others), and when a vif's poll finds nothing it arms the vif's port and polls once more (the final
 * check): still nothing, and the vif leaves the active list until a guest raises it again. The cost of a round is in
 * proportion to the active vifs, not to all of them. Every {@value #HOUSEKEEPING_MS} ms by default (and in a round after the store changed)
 * every vif is visited once for its timers and negotiation (heartbeat, drain timeouts, connect), which is the only
 * per-vif cost of an idle vif.
 * <p>
 * As the {@link WaitPoint} of an idle strategy ({@code IdleMode.newIdleStrategy(poller)}) the thread sleeps in the
 * kernel when no vif is active; with busy-spin or backoff the same agent simply polls.
 * <pre>
 *  guest: push, notify  --(port armed? CAS 1->0)-->  selector.raise(bit)  --(owner sleeping?)--> FUTEX_WAKE
 *  host:  drain bits -> active list -> doWork() per active vif -> 0? arm port, doWork() again -> 0? inactive
 * </pre>
 * Threading: {@link #add} at configuration time; {@link #doWork()} and the {@link WaitPoint} methods on the one agent
 * thread; {@link #onOffered} from any thread.
 */
public final class VifPoller implements Agent, WaitPoint
{
    /** Default interval of the visit to every vif (timers, negotiation). */
    public static final long HOUSEKEEPING_MS = 250;
    private static final long HOUSEKEEPING_NS = HOUSEKEEPING_MS * 1_000_000L;

    private final EventSelector selector;
    private final io.pvnet.engine.store.XenStore store;
    private final long housekeepingNs;
    private final List<VifBackend> added = new ArrayList<>();
    private VifBackend[] backends = new VifBackend[0];
    private VifPorts[] ports = new VifPorts[0];
    private boolean[] active = new boolean[0];
    private int[] activeList = new int[0];
    private int activeCount;
    private int[] drained;
    private long lastHousekeepingNs;
    private int lastStoreChange;
    private Thread dutyThread;
    private long rounds;
    private long vifPolls;

    /**
     * A poller visiting every vif each {@link #HOUSEKEEPING_MS} ms, besides the ones whose guests raise the selector.
     *
     * @param selector the selector guests raise (the region's, see {@link io.pvnet.engine.vif.VifSections#createSelector}).
     * @param store    the region's store: a change there (negotiation) makes the next cycle visit every vif.
     */
    public VifPoller(final EventSelector selector, final io.pvnet.engine.store.XenStore store)
    {
        this(selector, store, HOUSEKEEPING_NS);
    }

    /**
     * A poller with its own housekeeping interval.
     *
     * @param selector       the selector guests raise.
     * @param store          the region's store: a change there makes the next cycle visit every vif.
     * @param housekeepingNs interval of the visit to every vif, and the longest sleep. Guests in their own memory
     *                       (isolated, cross-process) cannot raise the host's selector: their vifs are seen only at
     *                       this visit, so a switch serving them passes a short interval (1 ms).
     * @throws IllegalArgumentException if {@code housekeepingNs} is not positive.
     */
    public VifPoller(
        final EventSelector selector, final io.pvnet.engine.store.XenStore store, final long housekeepingNs)
    {
        if (housekeepingNs <= 0)
        {
            throw new IllegalArgumentException("housekeepingNs=" + housekeepingNs + " must be > 0");
        }
        this.selector = selector;
        this.store = store;
        this.housekeepingNs = housekeepingNs;
        this.drained = new int[selector.capacity()];
        this.lastStoreChange = store.changeCounter() - 1;
    }

    /**
     * Serves {@code backend}; its vif's bit is its position. Configuration time, before the poller's thread runs.
     *
     * @param backend a vif backend not served by another poller; this poller drives its {@code doWork} from now on.
     * @throws IllegalStateException naming the selector's capacity when it is full.
     */
    public void add(final VifBackend backend)
    {
        final int bit = added.size();
        if (bit >= selector.capacity())
        {
            throw new IllegalStateException("vif poller full: selector capacity=" + selector.capacity());
        }
        added.add(backend);
        backend.servedBy(this, bit);
        backends = added.toArray(new VifBackend[0]);
        ports = java.util.Arrays.copyOf(ports, backends.length);
        active = java.util.Arrays.copyOf(active, backends.length);
        // twice the vifs: while a round walks the list, a vif it already dropped may be appended again (an offer)
        activeList = java.util.Arrays.copyOf(activeList, 2 * backends.length);
        activate(bit); // polled until its first final check says idle
    }

    @Override
    public String roleName()
    {
        return "vif-poller";
    }

    @Override
    public int doWork()
    {
        dutyThread = Thread.currentThread();
        rounds++;
        int work = 0;
        final int raised = selector.drain(drained);
        for (int i = 0; i < raised; i++)
        {
            activate(drained[i]);
        }
        final long now = System.nanoTime();
        final int change = store.changeCounter();
        if (change != lastStoreChange || now - lastHousekeepingNs >= housekeepingNs)
        {
            lastStoreChange = change;
            lastHousekeepingNs = now;
            work += housekeeping();
        }
        int kept = 0;
        final int count = activeCount;
        for (int i = 0; i < count; i++)
        {
            final int bit = activeList[i];
            if (pollActive(bit) > 0)
            {
                work++;
                activeList[kept++] = bit;
            }
            else
            {
                active[bit] = false;
            }
        }
        // bits activated during this loop (offers on this thread) were appended after count: keep them
        System.arraycopy(activeList, count, activeList, kept, activeCount - count);
        activeCount = kept + activeCount - count;
        return work;
    }

    private int pollActive(final int bit)
    {
        vifPolls++;
        final VifBackend backend = backends[bit];
        final int work = backend.doWork();
        if (work > 0)
        {
            return work;
        }
        final VifPorts port = port(bit, backend);
        if (port == null)
        {
            return 0; // not connected: housekeeping visits it
        }
        // arm (volatile store, full fence), then the final check: a guest that pushed before the store is seen here,
        // one that pushes after it sees the armed port and raises the bit
        port.arm();
        final int last = backend.doWork();
        if (last > 0)
        {
            port.disarm();
        }
        return last;
    }

    private VifPorts port(final int bit, final VifBackend backend)
    {
        // looked up at every arm: a reconnect may have bound other ports (another queue count)
        final VifPorts port = backend.isConnected() ? backend.boundPorts(bit) : null;
        ports[bit] = port;
        return port;
    }

    private int housekeeping()
    {
        int work = 0;
        final VifBackend[] all = backends;
        for (int bit = 0; bit < all.length; bit++)
        {
            if (!active[bit])
            {
                final int done = all[bit].doWork();
                if (done > 0 || (ports[bit] == null && all[bit].isConnected()))
                {
                    work += done;
                    activate(bit);
                }
            }
        }
        return work;
    }

    private void activate(final int bit)
    {
        if (!active[bit])
        {
            active[bit] = true;
            final VifPorts port = ports[bit];
            if (port != null)
            {
                port.disarm();
            }
            activeList[activeCount++] = bit;
        }
    }

    /** A frame was offered to the vif of {@code bit}: make sure it is polled (its responses pushed, its queue drained). */
    void onOffered(final int bit)
    {
        if (Thread.currentThread() == dutyThread)
        {
            activate(bit);
        }
        else
        {
            selector.raise(bit);
        }
    }

    @Override
    public void onClose()
    {
        for (final VifBackend backend : backends)
        {
            backend.onClose();
        }
    }

    @Override
    public void prepareToSleep()
    {
        selector.prepareToSleep();
    }

    @Override
    public void cancelSleep()
    {
        selector.cancelSleep();
    }

    @Override
    public void sleep(final long timeoutNs)
    {
        // sleep no longer than the next housekeeping visit, and not at all while a vif is active
        if (activeCount == 0)
        {
            selector.sleep(Math.min(timeoutNs, housekeepingNs));
        }
        else
        {
            selector.cancelSleep();
        }
    }

    /** {@return vifs currently polled (agent thread)} */
    public int activeCount()
    {
        return activeCount;
    }

    /** {@return duty cycles run (agent thread)} */
    public long rounds()
    {
        return rounds;
    }

    /** {@return single-vif polls made, over all rounds (agent thread)} */
    public long vifPolls()
    {
        return vifPolls;
    }

    /** {@return kernel sleeps of the agent thread} */
    public long sleeps()
    {
        return selector.sleeps();
    }

    /** {@return vifs served} */
    public int vifCount()
    {
        return backends.length;
    }
}
