package io.pvnet.engine;

import io.pvnet.ring.event.DeadlineWaitPoint;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventSelector;
import io.pvnet.ring.event.WaitPoint;
import io.pvnet.ring.event.WaitPointIdleStrategy;
import org.agrona.concurrent.Agent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * (Above 500 lines: the duty cycle, its wait point and what may end a sleep, the kicks, backoffs and credit windows,
 * are one state machine, read best in one place.)
 * <p>
 * One host thread serving many vif backends NAPI-style, with one place to sleep: the {@link EventSelector} whose bits
 * the guests raise (through their event channels, only when the backend's port is armed). A duty cycle takes the raised
 * bits, polls each active vif (each {@code doWork()} handles at most a batch of 64 packets per direction, so a busy vif
 * cannot starve the others), and when a vif's poll finds nothing it arms the vif's port and polls once more (the final
 * check): still nothing, and the vif leaves the active list until a guest raises it again. A vif a frame was offered to
 * on this thread during that pass (a crossover or bridge forwarding from another vif) is served in the same cycle. The
 * cost of a round is in proportion to the active vifs, not to all of them. A write to a key a backend watches (its
 * frontend's directory or its own, through the poller's store handle) raises that vif's bit, as xenstored fires a
 * watch event; in a round after the store changed (negotiation) every vif is visited once; every {@value #HOUSEKEEPING_MS} ms by default only the vifs with a timer
 * running are (frames queued for a guest, tx held by the credit scheduler, status to publish, control requests, a
 * guest that cannot kick: see {@code XnbAgent.hasTimers}), and every 2 s ({@link #HEARTBEAT_NS}) every vif's
 * heartbeat counter is stamped (one store each). An idle vif costs nothing else, and with no timer running the thread
 * sleeps 2 s at a time. With a linger (see the constructor) a vif that had work stays on the list that long
 * after its last work, polled without arming its port. A vif carrying a stream lingers longer, by the rule of
 * {@link WaitPointIdleStrategy}'s streaming window: once it has had work for
 * {@link WaitPointIdleStrategy#STREAM_AFTER_NS} with no gap as long as its linger, it lingers
 * {@code max(linger, }{@link WaitPointIdleStrategy#STREAM_WINDOW_NS}{@code )} (0: off) until it is armed again, so
 * the gaps of a stream on 2 vCPUs (its guest preempted) cost its guest no kick while the host thread spins through
 * them anyway. A vif whose gap outlasted its linger starts over at the short linger; with no linger (0) there is none.
 * <p>
 * A guest that kicks without cause (a poll after its kick finds no work, 8 times in a row) is not listened to for a
 * while, as Xen's late EOI (XSA-332, {@code KickBackoff}): its ports stay disarmed, its kick
 * eventfd is muted, until a backoff of at most 16 ms ends or a poll of its vif finds work. Per vif, the counters
 * {@code kicks-spurious} and {@code kick-backoffs} show it.
 * <p>
 * As the {@link WaitPoint} of an idle strategy ({@code IdleMode.newIdleStrategy(poller)}) the thread sleeps in the
 * kernel when no vif is active, through a {@link DeadlineWaitPoint} whose timed work is this poller
 * ({@link #nanosToNextDue}): the one sleep logic of pvnet's agents; with busy-spin or backoff the same agent simply
 * polls.
 * <pre>
 *  guest: push, notify  --(port armed? CAS 1->0)-->  selector.raise(bit)  --(owner sleeping?)--> FUTEX_WAKE
 *  host:  drain bits -> active list -> doWork() per active vif -> 0? arm port, doWork() again -> 0? inactive
 * </pre>
 * Why one file of this length (about 500 lines of code, five constructors among them, the rest javadoc): the active
 * list, the timer list, the kick backoff's and credit windows' wake-ups and the sleep bound are one schedule over the
 * same arrays, decided in the same duty cycle (the kick listener and the backoff are out already).
 * <p>
 * Threading: {@link #add} at configuration time; {@link #doWork()} and the {@link WaitPoint} methods on the one agent
 * thread; {@link #onOffered} from any thread.
 */
public final class VifPoller implements Agent, WaitPoint, DeadlineWaitPoint.TimedWork
{
    /** Default interval of the visit to the vifs with a timer running. */
    public static final long HOUSEKEEPING_MS = 250;
    private static final long HOUSEKEEPING_NS = HOUSEKEEPING_MS * 1_000_000L;
    /**
     * Interval of the heartbeat stamp on every vif's counters ({@code pvnet stat} calls a backend gone after 5 s); with
     * no timer running it is the longest sleep of an idle thread. 2 s, not 1: on this VM each wake-up of a thread idle
     * that long costs 0.5-0.9 ms of CPU, whatever little it runs, so the stamp is most of an idle switch's cost.
     */
    public static final long HEARTBEAT_NS = 2_000_000_000L;
    /**
     * For this long after the store changed (a negotiation under way) the thread sleeps at most {@link #STORE_POLL_NS}:
     * for writers whose writes fire no watch of this poller's store handle (another process mapping the region,
     * another handle); writes through the handle wake it at once (see {@link #add}), and guests attached over a
     * control connection wake it through the control server.
     */
    static final long STORE_SETTLE_NS = 1_000_000_000L;
    static final long STORE_POLL_NS = 10_000_000L;

    /** While some guest can only kick through an eventfd: the longest a kick waits while the thread is busy. */
    static final long KICK_POLL_NS = 20_000L;

    private final EventSelector selector;
    /** Where the thread sleeps when guests in other processes kick eventfds, or null (the selector's futex). */
    private final io.pvnet.ring.event.EpollWaitPoint kicks;
    /** The selector or {@link #kicks}, each sleep bounded by {@link #nanosToNextDue}: the one sleep logic. */
    private final DeadlineWaitPoint sleeper;
    private long lastKickPollNs;
    /** When the current round started (agent thread): the time of work that offers do for a vif. */
    private long roundNs;
    private int lastWork;
    /** Called on the agent thread when a cycle sees the store changed (e.g. the control server's watch), or null. */
    private Runnable storeChangeListener;
    /** Called on the agent thread with each heartbeat's epoch ms (e.g. the region's own heartbeat), or null. */
    private java.util.function.LongConsumer heartbeatListener;
    private final io.pvnet.engine.store.XenStore store;
    private final long housekeepingNs;
    private final long lingerNs;
    /** The linger of a vif carrying a stream: {@code max(lingerNs, STREAM_WINDOW_NS)}, or lingerNs (0 or off). */
    private final long streamLingerNs;
    /** {@link System#nanoTime()}, or a test's clock: read once per duty cycle. */
    private final LongSupplier clock;
    /**
     * Whether {@link #clock} is {@link System#nanoTime()}, the backends' own clock: then the round's time is handed to
     * every vif polled in the round instead of each reading the clock again (about 30 ns a read on this VM).
     */
    private final boolean systemClock;
    /** The round's time, for agents on this thread that need no fresher clock than once per duty cycle. */
    private final org.agrona.concurrent.CachedNanoClock roundClock = new org.agrona.concurrent.CachedNanoClock();
    private static final LongSupplier SYSTEM_CLOCK = System::nanoTime;
    private final List<VifBackend> added = new ArrayList<>();
    /** The store watches of the vifs served (two each), removed by {@link #onClose()}. */
    private final List<io.pvnet.engine.store.StoreWatch> watches = new ArrayList<>();
    private VifBackend[] backends = new VifBackend[0];
    private VifPorts[] ports = new VifPorts[0];
    private boolean[] active = new boolean[0];
    private long[] lastWorkNs = new long[0];
    /**
     * Per vif, when its current run of work began: the first work after a gap at least as long as its linger. A vif
     * whose run has lasted {@link WaitPointIdleStrategy#STREAM_AFTER_NS} lingers {@link #streamLingerNs}.
     */
    private long[] workRunSinceNs = new long[0];
    private int[] activeList = new int[0];
    private int activeCount;
    private boolean[] timed = new boolean[0];
    private int[] timerList = new int[0];
    private int timerCount;
    private long lastHeartbeatNs;
    private long lastStoreChangeNs;
    private long timerVisits;
    /** Where the vifs activated during the last {@link #pollActiveList} pass start in {@link #activeList}. */
    private int firstAppended;
    private int[] drained;
    private long lastHousekeepingNs;
    private int lastStoreChange;
    private Thread dutyThread;
    private long rounds;
    private long vifPolls;
    private long[] pollsPerVif = new long[0];
    /** Bits raised by the host itself (offers and wakes from other threads): those activations are not kicks. */
    private final java.util.concurrent.atomic.AtomicIntegerArray hostRaised;
    private final VifKickListener kickListener;
    private final KickBackoff backoff;
    private int[] backoffEnded = new int[0];
    /** When each idle vif must be polled again for packets the {@code rate} held back (0: never), how many, the earliest. */
    private long[] creditWakeNs = new long[0];
    private int creditWaiting;
    private long nextCreditWakeNs;

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
     * @param housekeepingNs interval of the visit to the vifs with a timer running. A guest that cannot kick
     *                       (no kick fd) is visited at this interval.
     * @throws IllegalArgumentException if {@code housekeepingNs} is not positive.
     */
    public VifPoller(
        final EventSelector selector, final io.pvnet.engine.store.XenStore store, final long housekeepingNs)
    {
        this(selector, store, housekeepingNs, 0L, null);
    }

    /**
     * A poller that keeps a vif with traffic on its active list for {@code lingerNs} after its last work.
     *
     * @param selector       the selector guests raise.
     * @param store          the region's store: a change there makes the next cycle visit every vif.
     * @param housekeepingNs interval of the visit to the vifs with a timer running.
     * @param lingerNs       how long a vif stays on the active list after its last work (NAPI busy polling, as
     *                       Linux's {@code napi_defer_hard_irqs} with {@code gro_flush_timeout}); a vif carrying a
     *                       stream lingers at least {@link WaitPointIdleStrategy#STREAM_WINDOW_NS} (see the class
     *                       comment). 0: drop at once.
     */
    public VifPoller(
        final EventSelector selector, final io.pvnet.engine.store.XenStore store, final long housekeepingNs,
        final long lingerNs)
    {
        this(selector, store, housekeepingNs, lingerNs, null);
    }

    /**
     * A poller that also wakes for guests in other processes, which kick eventfds instead of raising the selector.
     *
     * @param selector       the selector in-process guests and other threads raise.
     * @param store          the region's store: a change there makes the next cycle visit every vif.
     * @param housekeepingNs interval of the visit to the vifs with a timer running.
     * @param kicks          where the thread sleeps when guests in other processes kick it through eventfds (see
     *                       {@link VifBackend#useShare(io.pvnet.ring.region.Region, int)}), built over
     *                       {@code selector}; null: the selector's futex, and such guests' vifs are visited at
     *                       housekeeping only. Closed by {@link #onClose()}.
     */
    public VifPoller(
        final EventSelector selector, final io.pvnet.engine.store.XenStore store, final long housekeepingNs,
        final io.pvnet.ring.event.EpollWaitPoint kicks)
    {
        this(selector, store, housekeepingNs, 0L, kicks);
    }

    /**
     * The poller with every option.
     *
     * @param selector       the selector in-process guests and other threads raise.
     * @param store          the region's store: a change there makes the next cycle visit every vif.
     * @param housekeepingNs interval of the visit to the vifs with a timer running.
     * @param lingerNs       how long a vif stays on the active list after its last work; 0: drop at once.
     * @param kicks          where the thread sleeps when guests in other processes kick eventfds, or null.
     */
    public VifPoller(
        final EventSelector selector, final io.pvnet.engine.store.XenStore store, final long housekeepingNs,
        final long lingerNs, final io.pvnet.ring.event.EpollWaitPoint kicks)
    {
        this(selector, store, housekeepingNs, lingerNs, kicks, SYSTEM_CLOCK);
    }

    /**
     * As {@link #VifPoller(EventSelector, io.pvnet.engine.store.XenStore, long, long,
     * io.pvnet.ring.event.EpollWaitPoint)} with the clock of the duty cycle given (tests drive the linger).
     *
     * @param clock nanosecond clock, as {@link System#nanoTime()}, read once per {@link #doWork()}.
     */
    VifPoller(
        final EventSelector selector, final io.pvnet.engine.store.XenStore store, final long housekeepingNs,
        final long lingerNs, final io.pvnet.ring.event.EpollWaitPoint kicks, final LongSupplier clock)
    {
        if (housekeepingNs <= 0 || lingerNs < 0)
        {
            throw new IllegalArgumentException("housekeepingNs=" + housekeepingNs + " must be > 0, lingerNs=" +
                lingerNs + " >= 0");
        }
        this.selector = selector;
        this.kicks = kicks;
        this.sleeper = new DeadlineWaitPoint(kicks != null ? kicks : selector, this);
        this.store = store;
        this.housekeepingNs = housekeepingNs;
        this.lingerNs = lingerNs;
        this.streamLingerNs = lingerNs == 0 || WaitPointIdleStrategy.STREAM_WINDOW_NS == 0 ? lingerNs :
            Math.max(lingerNs, WaitPointIdleStrategy.STREAM_WINDOW_NS);
        this.clock = clock;
        this.systemClock = clock == SYSTEM_CLOCK;
        roundClock.update(clock.getAsLong());
        this.drained = new int[selector.capacity()];
        this.hostRaised = new java.util.concurrent.atomic.AtomicIntegerArray(selector.capacity());
        this.kickListener = new VifKickListener(kicks);
        this.backoff = new KickBackoff(kickListener);
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
        active = java.util.Arrays.copyOf(active, backends.length);
        ports = java.util.Arrays.copyOf(ports, backends.length);
        pollsPerVif = java.util.Arrays.copyOf(pollsPerVif, backends.length);
        backoff.grow(backends.length);
        kickListener.backends = backends;
        backoffEnded = new int[backends.length];
        creditWakeNs = java.util.Arrays.copyOf(creditWakeNs, backends.length);
        lastWorkNs = java.util.Arrays.copyOf(lastWorkNs, backends.length);
        workRunSinceNs = java.util.Arrays.copyOf(workRunSinceNs, backends.length);
        // twice the vifs: while a round walks the list, a vif it already dropped may be appended again (an offer)
        activeList = java.util.Arrays.copyOf(activeList, 2 * backends.length);
        timed = java.util.Arrays.copyOf(timed, backends.length);
        timerList = java.util.Arrays.copyOf(timerList, backends.length);
        // the store watches a backend sets in Xen (its frontend's directory, its own for settings such as the rate):
        // a write there by another thread of this process (an in-process guest negotiating) wakes this thread
        final Runnable onWatch = () -> onStoreWatch(bit);
        watches.add(store.watch(backend.config().frontendDir(), onWatch));
        watches.add(store.watch(backend.config().backendDir(), onWatch));
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
        final long now = clock.getAsLong();
        roundNs = now;
        roundClock.update(now);
        if (kicks != null && kicks.registered() > 0 && (lastWork == 0 || now - lastKickPollNs >= KICK_POLL_NS))
        {
            // kicks written while this thread was awake wait on epoll's ready list: take them without blocking (at once
            // in an idle round: a kick taken late, after a poll found its frames anyway, counts as spurious)
            lastKickPollNs = now;
            kicks.pollKicks();
        }
        final int raised = selector.drain(drained);
        for (int i = 0; i < raised; i++)
        {
            final int bit = drained[i];
            if (hostRaised.get(bit) != 0)
            {
                hostRaised.set(bit, 0);
            }
            else if (bit < backends.length)
            {
                backoff.onKick(bit); // the guest's: its poll decides whether it had cause
            }
            activate(bit);
        }
        if (backoff.backingOff() > 0)
        {
            // late EOI: a vif whose backoff ended is listened to again and polled once
            final int ended = backoff.expire(now, backoffEnded);
            for (int i = 0; i < ended; i++)
            {
                activate(backoffEnded[i]);
            }
        }
        if (creditWaiting > 0 && now - nextCreditWakeNs >= 0)
        {
            creditWakes(now);
        }
        final int change = store.changeCounter();
        if (change != lastStoreChange && storeChangeListener != null)
        {
            storeChangeListener.run();
        }
        if (change != lastStoreChange)
        {
            lastStoreChange = change;
            lastStoreChangeNs = now;
            lastHousekeepingNs = now;
            work += visitAll(now);
        }
        else if (timerCount > 0 && now - lastHousekeepingNs >= housekeepingNs)
        {
            lastHousekeepingNs = now;
            work += visitTimers(now);
        }
        if (now - lastHeartbeatNs >= HEARTBEAT_NS)
        {
            lastHeartbeatNs = now;
            heartbeats();
        }
        work += pollActiveList(0, now);
        if (activeCount > firstAppended)
        {
            // a frame this pass handed to another vif (a crossover or the bridge on this thread, e.g. guest A's frame
            // for guest B) put that vif on the list: serve it now, not a duty cycle later, so a forwarded frame reaches
            // its guest (and wakes it) in the round that took it from the sender
            work += pollActiveList(firstAppended, now);
        }
        lastWork = work;
        return work;
    }

    /**
     * Polls the vifs at {@code activeList[from, activeCount)}: keeps those with work (or lingering) in order from
     * {@code from}, drops the others, and moves the vifs activated meanwhile (offers on this thread) right after the
     * kept ones, from {@link #firstAppended} on. The list holds distinct active vifs before and after (at most one entry
     * per vif), and at most twice the vifs while it runs (the capacity).
     *
     * @return vifs that had work.
     */
    private int pollActiveList(final int from, final long now)
    {
        int work = 0;
        int kept = from;
        final int end = activeCount;
        for (int i = from; i < end; i++)
        {
            final int bit = activeList[i];
            if (lingerNs > 0 && now - lastWorkNs[bit] < lingerNs(bit))
            {
                // lingering: poll without arming the port, keep it whatever this poll finds
                vifPolls++;
                final int done = poll(backends[bit], now);
                backoff.afterPoll(bit, done, now);
                if (done > 0)
                {
                    workAt(bit, now);
                    work++;
                }
                activeList[kept++] = bit;
            }
            else if (pollActive(bit, now) > 0)
            {
                workAt(bit, now);
                work++;
                activeList[kept++] = bit;
            }
            else
            {
                active[bit] = false;
                final long creditNs = backends[bit].creditWaitNs();
                if (creditNs != 0)
                {
                    // packets held back by the rate: poll again when the next window opens (Linux's credit timer)
                    creditWaiting += creditWakeNs[bit] == 0 ? 1 : 0;
                    creditWakeNs[bit] = creditNs;
                    if (creditWaiting == 1 || creditNs - nextCreditWakeNs < 0)
                    {
                        nextCreditWakeNs = creditNs;
                    }
                }
                timeIfNeeded(bit);
            }
        }
        // bits activated during this loop (offers on this thread) were appended after end: keep them
        final int appended = activeCount - end;
        System.arraycopy(activeList, end, activeList, kept, appended);
        activeCount = kept + appended;
        firstAppended = kept;
        return work;
    }

    /** {@return how long the vif of {@code bit} stays on the active list unarmed after its last work} */
    private long lingerNs(final int bit)
    {
        final boolean streaming = lastWorkNs[bit] - workRunSinceNs[bit] >= WaitPointIdleStrategy.STREAM_AFTER_NS;
        return streaming ? streamLingerNs : lingerNs;
    }

    /**
     * The vif of {@code bit} had work at {@code now}: its linger restarts, and a gap at least as long as its linger
     * (it was armed, or about to be) ends its run of work, so a new run starts at the short linger.
     */
    private void workAt(final int bit, final long now)
    {
        if (now - lastWorkNs[bit] >= lingerNs(bit))
        {
            workRunSinceNs[bit] = now;
        }
        lastWorkNs[bit] = now;
    }

    /** One duty cycle of {@code backend} at the round's time (its own clock read when this poller's is a test's). */
    private int poll(final VifBackend backend, final long now)
    {
        return systemClock ? backend.doWork(now) : backend.doWork();
    }

    /**
     * {@return a clock that gives the time this poller read at the start of its current round} For agents run after the
     * poller on its thread that need the time once per duty cycle (the bridge's MAC ageing), so that they do not read
     * the clock again. With a test's clock it gives that clock's time.
     */
    public org.agrona.concurrent.NanoClock roundClock()
    {
        return roundClock;
    }

    private int pollActive(final int bit, final long now)
    {
        vifPolls++;
        pollsPerVif[bit]++;
        final VifBackend backend = backends[bit];
        final int work = poll(backend, now);
        final boolean backingOff = backoff.afterPoll(bit, work, now);
        if (work > 0)
        {
            return work;
        }
        if (backingOff)
        {
            return 0; // late EOI: ports left disarmed (kick fd muted) until the backoff ends or a poll finds work
        }
        final VifPorts port = port(bit, backend);
        if (port == null || backend.unkickable())
        {
            return 0; // not connected, or its guest cannot kick this thread: housekeeping visits it
        }
        // arm (volatile store, full fence), then the final check: a guest that pushed before the store is seen here,
        // one that pushes after it sees the armed port and raises the bit
        port.arm();
        final int last = poll(backend, now);
        if (last > 0)
        {
            port.disarm();
            backoff.afterPoll(bit, last, now);
        }
        return last;
    }

    private void creditWakes(final long now)
    {
        creditWaiting = 0;
        for (int bit = 0; bit < creditWakeNs.length; bit++)
        {
            final long at = creditWakeNs[bit];
            if (at != 0 && now - at >= 0)
            {
                creditWakeNs[bit] = 0;
                activate(bit);
            }
            else if (at != 0 && (creditWaiting++ == 0 || at - nextCreditWakeNs < 0))
            {
                nextCreditWakeNs = at;
            }
        }
    }

    private VifPorts port(final int bit, final VifBackend backend)
    {
        // looked up at every arm: a reconnect may have bound other ports (another queue count)
        final VifPorts port = backend.isConnected() ? backend.boundPorts(bit) : null;
        ports[bit] = port;
        return port;
    }

    /** After a store change: every inactive vif once (negotiation, a guest attached or gone). */
    private int visitAll(final long now)
    {
        int work = 0;
        final VifBackend[] all = backends;
        for (int bit = 0; bit < all.length; bit++)
        {
            if (!active[bit])
            {
                work += visit(bit, now);
            }
        }
        return work;
    }

    /** Every {@link #housekeepingNs}: the vifs with a timer running only. */
    private int visitTimers(final long now)
    {
        int work = 0;
        int kept = 0;
        final int count = timerCount;
        for (int i = 0; i < count; i++)
        {
            final int bit = timerList[i];
            final VifBackend backend = backends[bit];
            if (active[bit])
            {
                timed[bit] = false; // polled anyway; timed again when it leaves the active list
                continue;
            }
            timerVisits++;
            final int done = poll(backend, now);
            if (done > 0)
            {
                backoff.afterPoll(bit, done, now);
            }
            work += done;
            if (done > 0 || (backend.unkickable() && backend.isConnected()))
            {
                timed[bit] = false;
                activate(bit);
            }
            else if (backend.hasTimers())
            {
                timerList[kept++] = bit;
            }
            else
            {
                timed[bit] = false;
            }
        }
        timerCount = kept;
        return work;
    }

    private int visit(final int bit, final long now)
    {
        final VifBackend backend = backends[bit];
        final int done = poll(backend, now);
        if (done > 0)
        {
            backoff.afterPoll(bit, done, now);
        }
        if (done > 0 || (backend.unkickable() && backend.isConnected()))
        {
            activate(bit);
        }
        else
        {
            timeIfNeeded(bit);
        }
        return done;
    }

    /** An inactive vif joins the timer list while it has a timer running (or its guest cannot kick). */
    private void timeIfNeeded(final int bit)
    {
        final VifBackend backend = backends[bit];
        if (!timed[bit] && (backend.hasTimers() || (backend.unkickable() && backend.isConnected())))
        {
            timed[bit] = true;
            timerList[timerCount++] = bit;
        }
    }

    private void heartbeats()
    {
        final long epochMs = System.currentTimeMillis();
        for (final VifBackend backend : backends)
        {
            backend.heartbeat(epochMs);
        }
        if (heartbeatListener != null)
        {
            heartbeatListener.accept(epochMs);
        }
    }

    private void activate(final int bit)
    {
        if (!active[bit])
        {
            active[bit] = true;
            // looked up afresh: a guest that attached again brings new memory, the cached ports may be unmapped
            final VifPorts port = port(bit, backends[bit]);
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
            // a frame handed to the vif is work for it: it lingers (unarmed) as a vif whose own poll found work, rather
            // than being armed by its next empty poll and activated again by the next offer, once per burst (its
            // guest's rx-buffer posts would kick this thread's epoll meanwhile)
            workAt(bit, roundNs);
            activate(bit);
        }
        else
        {
            hostRaised.set(bit, 1); // before the raise: the drain that sees the bit sees this too
            selector.raise(bit);
        }
    }

    /**
     * A key a backend of this poller watches was written or removed (on the writer's thread): from another thread, the
     * vif's bit is raised (a sleeping poller wakes, visits the vif and, the store having changed, every vif); on this
     * poller's own thread (the backends' own writes) nothing is needed, its next cycle sees the store changed.
     */
    private void onStoreWatch(final int bit)
    {
        if (Thread.currentThread() != dutyThread)
        {
            hostRaised.set(bit, 1); // before the raise: a watch event is not the guest's kick
            selector.raise(bit);
        }
    }

    /**
     * Wakes the poller's thread if it sleeps (any thread): a command stopping its runner does not wait for the sleep's
     * timeout. Costs the thread one poll of the first vif.
     */
    public void wake()
    {
        selector.raise(0);
    }

    /**
     * Calls {@code listener} on the agent thread in each cycle that finds the store changed (the backends' own writes
     * included), so a thread that pushes store changes to guests can sleep until then instead of polling the store.
     * Configuration time; the listener must be quick and allocation-free (an unpark).
     *
     * @param listener what to call, or null.
     */
    public void onStoreChange(final Runnable listener)
    {
        this.storeChangeListener = listener;
    }

    /**
     * Calls {@code listener} on the agent thread with the epoch ms of each heartbeat ({@link #HEARTBEAT_NS}, also while
     * idle), so other heartbeats ride on this thread's wake-up instead of waking a thread of their own: on this VM each
     * wake-up of a thread idle for a second costs 0.1-1 ms of CPU. Configuration time; the listener must be quick and
     * allocation-free (a store, e.g. {@code Region::updateHeartbeat}).
     *
     * @param listener what to call, or null.
     */
    public void onHeartbeat(final java.util.function.LongConsumer listener)
    {
        this.heartbeatListener = listener;
    }

    /**
     * Watches {@code kickFd} for vif {@code bit} instead of {@code previousFd} (either may be -1). Any thread.
     *
     * @return false when this poller cannot watch kicks (built without an epoll wait point) or {@code kickFd} is -1.
     */
    boolean watchKick(final int bit, final int kickFd, final int previousFd)
    {
        if (kicks == null)
        {
            return false;
        }
        if (previousFd >= 0)
        {
            kicks.unregister(previousFd);
        }
        if (kickFd < 0)
        {
            return false;
        }
        kicks.register(kickFd, bit);
        return true;
    }

    @Override
    public void onClose()
    {
        for (final io.pvnet.engine.store.StoreWatch watch : watches)
        {
            watch.close();
        }
        for (final VifBackend backend : backends)
        {
            backend.onClose();
        }
        if (kicks != null)
        {
            kicks.close();
        }
    }

    @Override
    public void prepareToSleep()
    {
        sleeper.prepareToSleep();
    }

    @Override
    public void cancelSleep()
    {
        sleeper.cancelSleep();
    }

    /**
     * Sleeps on the selector (or the kick epoll) until a guest or another thread raises a bit, {@code timeoutNs}, or
     * this poller's next timed work is due ({@link #nanosToNextDue}); not at all while a vif is active.
     *
     * @param timeoutNs the idle strategy's longest sleep.
     */
    @Override
    public void sleep(final long timeoutNs)
    {
        sleeper.sleep(timeoutNs);
    }

    /**
     * When this poller must run again without being woken: 0 while a vif is on the active list (it is polled, not
     * slept on), else the earliest of the next heartbeat, (with a timer running) housekeeping visit, end of a kick
     * backoff or credit window, and, for a while after a store change, the next look at the store. Agent thread.
     *
     * @param nowNs {@link System#nanoTime()} now.
     * @return nanoseconds until then (0 or less: now).
     */
    @Override
    public long nanosToNextDue(final long nowNs)
    {
        if (activeCount > 0)
        {
            return 0;
        }
        long dueNs = lastHeartbeatNs + HEARTBEAT_NS - nowNs;
        if (timerCount > 0)
        {
            dueNs = Math.min(dueNs, lastHousekeepingNs + housekeepingNs - nowNs);
        }
        if (nowNs - lastStoreChangeNs < STORE_SETTLE_NS)
        {
            dueNs = Math.min(dueNs, STORE_POLL_NS);
        }
        if (backoff.backingOff() > 0)
        {
            dueNs = Math.min(dueNs, backoff.nanosToNextEnd(nowNs));
        }
        if (creditWaiting > 0)
        {
            dueNs = Math.min(dueNs, nextCreditWakeNs - nowNs);
        }
        return dueNs;
    }

    /** {@return visits of vifs on the housekeeping timer so far (agent thread)} */
    public long timerVisits()
    {
        return timerVisits;
    }

    /** {@return inactive vifs visited on the housekeeping timer (agent thread)} */
    public int timedCount()
    {
        return timerCount;
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

    /**
     * {@return polls of the vif of {@code bit} from the active list (housekeeping visits not counted; agent thread)}
     *
     * @param bit the vif's bit (its position in {@link #add} order).
     */
    public long vifPolls(final int bit)
    {
        return pollsPerVif[bit];
    }

    /** {@return kernel sleeps of the agent thread} */
    public long sleeps()
    {
        return kicks != null ? kicks.sleeps() : selector.sleeps();
    }

    /** {@return kicks taken from guests' eventfds (agent thread)} */
    public long kicks()
    {
        return kicks == null ? 0 : kicks.kicks();
    }

    /** {@return vifs served} */
    public int vifCount()
    {
        return backends.length;
    }
}
