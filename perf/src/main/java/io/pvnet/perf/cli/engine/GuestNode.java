package io.pvnet.perf.cli.engine;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.vif.VifCounters;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.control.AttachUnansweredException;
import io.pvnet.engine.control.GuestControlClient;
import io.pvnet.engine.control.ProcessKind;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.ring.event.DeadlineWaitPoint;
import io.pvnet.ring.event.DeadlineWaitPoint.TimedWork;
import io.pvnet.ring.event.WaitPoint;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.LinuxCalls;
import io.pvnet.ring.share.LinuxException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.IdleStrategy;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A guest process's netfront and {@link GuestStack} as one agent: negotiation, receive (poll into the stack, whose
 * replies are transmitted), flush. Shared by {@code pvnet guest} and {@code pvnet gen}. One thread.
 * <p>
 * The guest reaches the switch only through its control connection ({@link GuestControlClient}: the socket
 * {@code REGION.sock} beside the switch's region file): it gets its own sealed memory for its vif and keeps a private
 * copy of its store keys; it never maps the switch's region. When the switch dies or restarts the connection ends at
 * once: with reconnect on, the node attaches again (a fresh share, a fresh netfront; the stack keeps its state), as
 * Linux's netfront does after a backend restart; with it off, or when that attach fails in any way (no switch within
 * {@code --wait}, a refusal, a share it cannot map, a netfront it cannot start there), the node ends: {@link #failure()}
 * names the cause on one line, and {@link #doWork()} throws it as an {@link AgentTerminationException}, which stops the
 * node's runner after one report instead of running a detached node again. Once attached, every such line names the
 * host as the kind its share records ({@link GuestControlClient#server()}: {@code lost the bench process ...}); before
 * the first share it is the switch, and while reconnecting the host it lost.
 * <p>
 * Waiting for the switch (at start, and while reconnecting, up to {@code --wait}) tries again 50 ms after each try that
 * found no switch (no socket, nobody listening, a hang-up without an answer), waiting on a {@link StopWait} in between;
 * a try whose connection the switch took (it may never accept it: stopped, wedged) waits for the answer up to the rest
 * of {@code --wait} (at least 1 s), looking at the stop every 50 ms. {@code pvnet guest}'s SIGINT/SIGTERM ends the wait
 * between tries at once and the wait for an answer within 50 ms, and the agent then ends itself (an expected
 * {@link AgentTerminationException}). An {@code AgentRunner}'s close could not end it: it only
 * clears a flag that the runner's loop reads between duty cycles, and interrupts after a 5 s join.
 * <p>
 * Its idle strategy sleeps on the event port of the vif's current frontend ({@link CurrentPort}) no longer than the
 * node's next timed work (a stream's next datagram, a chargen timer): the node is the {@link TimedWork} of a
 * {@link DeadlineWaitPoint}, as {@code VifPoller} is. Frames wake it, time does not, and the strategy's longest sleep
 * is only a safety net.
 */
final class GuestNode implements Agent, AutoCloseable, FrameSink, TimedWork
{
    /** A stop that the waits for the switch end on (a shutdown latch's {@code awaitStop}). Any thread. */
    @FunctionalInterface
    interface StopWait
    {
        /**
         * @param timeoutNs the longest wait.
         * @return true as soon as a stop was asked for, false when {@code timeoutNs} passed without one.
         * @throws InterruptedException when the waiting thread is interrupted.
         */
        boolean awaitStop(long timeoutNs) throws InterruptedException;
    }

    /** No stop ever comes: the wait is a plain sleep ({@code pvnet gen}: a signal ends its JVM at once). */
    static final StopWait NO_STOP = timeoutNs ->
    {
        java.util.concurrent.TimeUnit.NANOSECONDS.sleep(timeoutNs);
        return false;
    };

    /** Between two tries to attach to a switch that is not there (yet). */
    private static final long ATTACH_RETRY_NS = 50_000_000L;
    /**
     * Shortest wait for the answer of a switch that took the connection, even at the end of {@code --wait} (or with
     * {@code --wait 0}): a live switch answers in milliseconds, a loaded one within this.
     */
    private static final long MIN_ANSWER_NS = 1_000_000_000L;

    /** What a guest is: region, vif config (MAC), addresses. */
    record Settings(Path region, VifConfig config, int ipv4, int prefix4, byte[] ipv6)
    {
    }

    private final Settings settings;
    private final Path socket;
    private final boolean reconnect;
    private final long waitNs;
    private final StopWait stop;
    private final PrintStream log;
    private final GuestStack stack;
    /** Receive backpressure of an echo server ({@code pvnet guest}); null for a generator ({@code pvnet gen}). */
    private final io.pvnet.engine.guest.AnsweringPoll answering;
    private final io.pvnet.engine.guest.StreamSource streamSource;
    private final io.pvnet.engine.guest.TcpChargenServer chargen;
    private volatile GuestControlClient client;
    private VifFrontend frontend;
    /**
     * Whether {@link #client} and {@link #frontend} are live: false once a reconnect closed them and did not attach
     * again. Guest thread; read by {@link #close()} after the agent stopped.
     */
    private boolean attached;
    /** Where the guest's thread sleeps: the current frontend's port, bounded by {@link #nanosToNextDue}. */
    private final WaitPoint waitPoint = new DeadlineWaitPoint(new CurrentPort(), this);
    /**
     * Most frames taken from the rx ring per duty cycle: the NAPI budget ({@code --napi-budget}, read when the node is
     * made; Linux netfront polls with a NAPI weight too).
     */
    private final int rxBudget = io.pvnet.engine.vif.VifPolling.budget();
    private long transmitBusy;
    private long reconnects;
    private volatile String failure;

    private GuestNode(final Settings settings, final long waitNs, final StopWait stop, final boolean reconnect,
        final PrintStream log, final boolean answering)
    {
        this.settings = settings;
        this.answering = answering ? new io.pvnet.engine.guest.AnsweringPoll() : null;
        this.socket = RegionArgument.controlSocket(settings.region());
        this.reconnect = reconnect;
        this.waitNs = waitNs;
        this.stop = stop;
        this.log = log;
        this.stack = new GuestStack(settings.config().mac(), settings.ipv4(), settings.prefix4(), settings.ipv6(),
            settings.config().mtu(), this);
        // answers gen --reverse / --bidir; a generator in this node takes the stack's other frames from it
        this.streamSource = new io.pvnet.engine.guest.StreamSource(stack, this);
        // answers gen --proto tcp --reverse / --bidir (TCP port 19)
        this.chargen = new io.pvnet.engine.guest.TcpChargenServer(stack, this, settings.config().mtu());
        chargen.limitRingUse(this::txOutstanding, io.pvnet.engine.vif.VifSections.RING_SIZE / 2);
        // a guest's frames meet the stream port first (a one-way stream's datagrams go no further), then the stack;
        // what the stack does not answer goes to chargen. A generator in this node takes the stack's other frames.
        streamSource.next(stack);
        stack.other(chargen);
    }

    /**
     * Attaches to the switch without reconnecting after it goes, taking every frame that arrives whatever its tx ring
     * holds (for {@code gen}: its rx ring holds the answers it counts).
     */
    static GuestNode open(final Settings settings, final long waitNs) throws InterruptedException
    {
        return open(settings, waitNs, NO_STOP, false, System.err, false);
    }

    /**
     * Connects to the switch's control socket (waiting up to {@code waitNs} for it to appear) and starts the vif's
     * frontend in the memory the switch hands over, as an echo server: it takes no more requests than its tx ring
     * has room to answer ({@link io.pvnet.engine.guest.AnsweringPoll}).
     *
     * @param stop ends the waits for the switch, now and when reconnecting.
     * @return the attached node, or null when a stop came first: {@code stop} is looked at between tries (their wait
     *         ends at once) and every 50 ms while a try waits for the switch's answer.
     * @throws IllegalStateException naming why: the switch refused (vif taken, not the owner, no such vif) or is not
     *                               there (within {@code waitNs}); its answer or share is unusable
     *                               ({@code unusable share from the switch: }, not a sealed memfd, an unknown size or
     *                               layout, a failed mapping); or the netfront cannot start in that share
     *                               ({@code cannot start the netfront in the share from the switch at }, e.g. another
     *                               vif's share without this vif's sections).
     */
    static GuestNode open(final Settings settings, final long waitNs, final StopWait stop, final boolean reconnect,
        final PrintStream log) throws InterruptedException
    {
        return open(settings, waitNs, stop, reconnect, log, true);
    }

    private static GuestNode open(final Settings settings, final long waitNs, final StopWait stop,
        final boolean reconnect, final PrintStream log, final boolean answering) throws InterruptedException
    {
        // its share (its own vif's memory) stays out of other processes' reach, as the switch's memory does
        io.pvnet.engine.control.ProcessProtection.closeToOthers(answering ? "pvnet guest" : "pvnet gen", log);
        final GuestNode node = new GuestNode(settings, waitNs, stop, reconnect, log, answering);
        return node.attach() ? node : null;
    }

    /**
     * Attaches, trying again {@link #ATTACH_RETRY_NS} after each try that found no switch, for up to {@code --wait}
     * (a try whose connection was taken waits for the answer up to the rest of it, at least {@link #MIN_ANSWER_NS}).
     *
     * @return true when attached, false when a stop came first.
     */
    private boolean attach() throws InterruptedException
    {
        final long deadline = System.nanoTime() + waitNs;
        while (true)
        {
            try
            {
                // a switch that took the connection has the rest of the wait to answer (at least MIN_ANSWER_NS);
                // the stop is looked at meanwhile (a connect completes into the backlog of a switch that never accepts)
                final GuestControlClient attempt = GuestControlClient.attach(socket, settings.config(),
                    Math.max(deadline - System.nanoTime(), MIN_ANSWER_NS), this::stopAsked, expectedKind());
                if (attempt == null)
                {
                    if (Thread.interrupted())
                    {
                        throw new InterruptedException();
                    }
                    return false;
                }
                try
                {
                    frontend = VifFrontend.create(attempt.store(), attempt.share().region(), attempt.kickFd(),
                        settings.config(), attempt.frontCounters(), new ChecksumFrameOffload());
                }
                catch (final RuntimeException ex)
                {
                    attempt.close(); // its socket (the switch frees the vif), then its share and kick eventfd
                    attempt.closeShare();
                    // e.g. a share without this vif's sections (io.pvnet.ring's RegionException: no room for them)
                    throw new IllegalStateException("cannot start the netfront in the share from " +
                        attempt.server() + " at " + socket + ": " + oneLine(ex), ex);
                }
                client = attempt;
                attached = true;
                return true;
            }
            catch (final LinuxException ex)
            {
                final boolean notYet = ex.errno() == LinuxCalls.ENOENT || ex.errno() == LinuxCalls.ECONNREFUSED;
                if (!notYet || System.nanoTime() - deadline > 0)
                {
                    final String kind = expectedKind();
                    throw new IllegalStateException("cannot reach " + ProcessKind.peer(kind, socket) + " at " + socket +
                        ": " + ex.getMessage() + (notYet ? "; gave up after --wait " + waitDescription() + " (" +
                            (kind.equals(RegionDescriptor.ROLE_SWITCH) ? "is pvnet switch --region " +
                                settings.region() + " running? " : "") + "--wait SECONDS waits longer)" : ""));
                }
            }
            catch (final AttachUnansweredException ex)
            {
                // a switch that hangs up without answering is stopping or not yet serving: as ECONNREFUSED, wait for it
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException(ex.getMessage() + " at " + socket + "; gave up after --wait " +
                        waitDescription() + " (--wait SECONDS waits longer)");
                }
            }
            if (stop.awaitStop(ATTACH_RETRY_NS))
            {
                return false;
            }
        }
    }

    /**
     * {@return whether a stop was asked for, without waiting: the attach's wait for an answer looks at it} An interrupt
     * (only a runner's close sends one) counts as a stop; the flag stays set for {@link #attach()} to see.
     */
    private boolean stopAsked()
    {
        try
        {
            return stop.awaitStop(0);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * {@return what this node takes the host to be until a share says: a switch at start (as {@code --region}
     * documents), the host it lost while reconnecting (a guest never reads the region file)}
     */
    private String expectedKind()
    {
        return client == null ? RegionDescriptor.ROLE_SWITCH : client.serverKind();
    }

    /** {@return {@code waitNs} as the user gave it: {@code 20 s}, or {@code 0.5 s} from a test} */
    String waitDescription()
    {
        return waitNs % 1_000_000_000L == 0 ? waitNs / 1_000_000_000L + " s" : waitNs / 1e9 + " s";
    }

    /**
     * Longest sleep of an idle guest: it is woken by the backend's notifications, the switch's watch events and its
     * hang-up, and its timed work bounds each sleep ({@link #nanosToNextDue}), so this is only a safety net, as long as
     * a wake-up nobody asked for stays cheap: on this VM a thread woken after a second asleep is charged 0.5-1 ms of
     * CPU for the wake-up itself, so a 1 s net cost an idle guest process about 0.1 % of a core (Linux's netfront keeps
     * no timer at all).
     */
    static final long MAX_SLEEP_NS = 10_000_000_000L;

    /**
     * @return how this guest's thread idles: {@code sleep}/{@code adaptive} sleep on the event port of the vif's
     * current frontend until notified or the node's next timed work.
     */
    IdleStrategy idleStrategy(final io.pvnet.ring.event.IdleMode mode)
    {
        return mode.newIdleStrategy(waitPoint, io.pvnet.ring.event.IdleMode.spinWindowNs(), MAX_SLEEP_NS);
    }

    /**
     * The event port of the vif's current frontend as a wait point. The node holds this, not a frontend: a reconnect
     * replaces the frontend, and a thread sleeping on the old one's port would be woken by nobody, only by its
     * {@link #MAX_SLEEP_NS} timeout. A sleep announced on a frontend that a reconnect (in the final check) replaced
     * returns at once: the announcement went with the old frontend, and the next idle cycle announces on the new one.
     * Guest thread.
     */
    private final class CurrentPort implements WaitPoint
    {
        /** The frontend whose port the guest's thread announced its sleep on, or null. */
        private VifFrontend sleepingOn;

        @Override
        public void prepareToSleep()
        {
            sleepingOn = frontend;
            sleepingOn.prepareToSleep();
        }

        @Override
        public void cancelSleep()
        {
            final VifFrontend on = sleepingOn;
            sleepingOn = null;
            if (on != null)
            {
                on.cancelSleep();
            }
        }

        @Override
        public void sleep(final long timeoutNs)
        {
            final VifFrontend on = sleepingOn;
            sleepingOn = null;
            if (on != null && on == frontend)
            {
                on.sleep(timeoutNs);
            }
        }
    }

    /**
     * @return nanoseconds until the stream source, chargen or the counters' report has timed work
     *         ({@link Long#MAX_VALUE}: none).
     */
    @Override
    public long nanosToNextDue(final long nowNs)
    {
        // and the frontend's counters reported to the switch (stat shows them within 100 ms of the last frame)
        return Math.min(Math.min(streamSource.nanosToNextDue(nowNs), chargen.nanosToNextDue(nowNs)),
            client.nanosToNextReport(nowNs));
    }

    /**
     * Idles once in a loop that waits for a time ({@code deadlineNs}, e.g. the next send of a rate) or a frame:
     * {@code sleep}/{@code adaptive} announce the sleep, run the node once more (the final check) and sleep on the vif's
     * event port until the deadline or a notification; the others spin.
     *
     * @return work done by the node meanwhile.
     */
    int idleUntil(final io.pvnet.ring.event.IdleMode mode, final long deadlineNs)
    {
        if (!mode.sleeps())
        {
            Thread.onSpinWait();
            return doWork();
        }
        waitPoint.prepareToSleep();
        final int work = doWork();
        final long remaining = deadlineNs - System.nanoTime();
        if (work > 0 || remaining <= 0)
        {
            waitPoint.cancelSleep();
            return work;
        }
        waitPoint.sleep(remaining);
        return doWork();
    }

    @Override
    public String roleName()
    {
        return "pvnet-guest-" + settings.config().domid();
    }

    @Override
    public int doWork()
    {
        if (client.goneReason() != null)
        {
            return onSwitchGone();
        }
        int work = client.sync();
        work += frontend.doWork();
        // an echo server takes no more requests than its tx ring can answer (the rest wait in the rx ring, and what
        // backs up further the switch counts); a generator takes every answer
        work += answering != null ? answering.poll(frontend, streamSource, rxBudget) : frontend.poll(stack, rxBudget);
        work += streamSource.doWork();
        work += chargen.doWork();
        frontend.flush();
        return work;
    }

    private int onSwitchGone()
    {
        if (failure != null)
        {
            // ended: a runner stopped at the first throw; a caller that runs the node again gets the same, no retry
            throw new AgentTerminationException(failure);
        }
        final String reason = client.goneReason();
        final String server = client.server();
        if (!reconnect)
        {
            throw end("lost " + server + ": " + reason, null);
        }
        log.println("pvnet guest: lost " + server + " (" + reason + "); reconnecting");
        // a sleep announced on the old frontend's port (this may be the final check) is withdrawn while its share
        // is still mapped; sleep() then returns at once and the next idle cycle announces on the new frontend
        waitPoint.cancelSleep();
        attached = false;
        final boolean reattached;
        try
        {
            try
            {
                client.close();
            }
            finally
            {
                client.closeShare(); // idempotent: a failure here ends the node below, never a second close
            }
            reattached = attach();
        }
        catch (final InterruptedException ex)
        {
            // only a runner's close interrupts this thread (after its 5 s join): it stops the guest as a signal does
            Thread.currentThread().interrupt();
            throw new AgentTerminationException("interrupted while reconnecting", true);
        }
        catch (final RuntimeException ex)
        {
            // whatever failed (closing the old connection, a refusal, no switch within --wait, a share it cannot map,
            // a netfront it cannot start there), attach() closed what it had opened: the node ends here, detached,
            // and is never run again on a closed client (an Error is not caught: the JVM is in no state to go on)
            throw end("lost " + server + " and could not reconnect: " + oneLine(ex), ex);
        }
        if (!reattached)
        {
            // the command was signalled: this agent ends without a failure (an expected termination is not reported)
            throw new AgentTerminationException("stopped while reconnecting", true);
        }
        reconnects++;
        log.println("pvnet guest: reconnected to " + client.server());
        return 1;
    }

    /**
     * Ends the node for good with {@code why} as its {@link #failure()}.
     *
     * @param why   the failure on one line, what the user sees.
     * @param cause what failed, or null: kept as the exception's cause for a debugger or another error handler.
     * @return the exception to throw from {@link #doWork()}: it stops an {@code AgentRunner} (whose error handler gets
     *         it, once), where an {@link IllegalStateException} would be reported and the node run again at once.
     */
    private AgentTerminationException end(final String why, final Throwable cause)
    {
        failure = why;
        return new AgentTerminationException(why, cause);
    }

    /** {@return {@code ex}'s message on one line, or its type's name when it has none} */
    private static String oneLine(final RuntimeException ex)
    {
        final String message = ex.getMessage();
        return message == null || message.isBlank() ? ex.getClass().getSimpleName() :
            message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /**
     * Wakes this node's thread if it sleeps on the vif's event port (any thread): a command stopping it does not wait
     * for the sleep's timeout ({@link #MAX_SLEEP_NS}).
     */
    void wake()
    {
        final GuestControlClient current = client;
        if (current != null)
        {
            current.wakeGuestThread();
        }
    }

    /** {@return the process this node attached to, as its messages name it ({@link GuestControlClient#server()})} */
    String server()
    {
        return client.server();
    }

    /** @return why this node stopped serving (the switch is gone for good), or null. */
    String failure()
    {
        return failure;
    }

    /** @return how many times this node attached again after its switch went. */
    long reconnects()
    {
        return reconnects;
    }

    /** The stack's replies: into the tx ring; a full ring drops the reply (counted by the stack). */
    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        int status = frontend.transmit(buffer, offset, length, metadata);
        if (status == VifFrontend.BUSY)
        {
            // the ring is full of our own unanswered requests: publish them, reap, retry once
            frontend.flush();
            frontend.doWork();
            status = frontend.transmit(buffer, offset, length, metadata);
            transmitBusy++;
        }
        return status == VifFrontend.OK ? 0 : 1;
    }

    VifFrontend frontend()
    {
        return frontend;
    }

    GuestStack stack()
    {
        return stack;
    }

    /** @return the node's stream service (gen --reverse, --bidir). */
    io.pvnet.engine.guest.StreamSource streamSource()
    {
        return streamSource;
    }

    /** @return the node's TCP chargen server (gen --proto tcp --reverse, --bidir). */
    io.pvnet.engine.guest.TcpChargenServer chargen()
    {
        return chargen;
    }

    /** @return tx slots waiting for the backend (0 while detached). */
    private int txOutstanding()
    {
        return frontend == null ? 0 : frontend.txOutstanding();
    }

    long transmitBusy()
    {
        return transmitBusy;
    }

    /** @return polls that took fewer requests than the budget because the tx ring was short of room (0 for gen). */
    long rxHeldBack()
    {
        return answering == null ? 0 : answering.heldBack();
    }

    /** Leaves the switch (closes the vif as a guest shutting down does) unless a reconnect left it detached. */
    @Override
    public void close()
    {
        if (attached)
        {
            client.leave(frontend);
        }
    }
}
