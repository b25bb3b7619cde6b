package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The receiving end of {@code pvnet gen}'s one-way UDP streams (iperf3's server): a stream announced by a
 * {@link StreamControlDescriptor#RECEIVE} from a port of a peer is counted by its sequence numbers
 * ({@link StreamCounter}) and reported back to that port from {@link StreamSource#PORT}: at once on the RECEIVE, every
 * {@code N} datagrams the peer asked for (checked once per duty cycle, after the poll), every report interval while
 * datagrams come, and finally on the stream's {@link StreamControlDescriptor#END}.
 * <p>
 * <b>Slots.</b> Up to {@link #MAX_SINKS} streams at once, at most {@link #MAX_PER_SOURCE} of one address (so one peer,
 * however many ports it uses, leaves room for others); a stream nobody sends on for {@link #IDLE_NS} is forgotten. An
 * ended stream keeps its slot until its final report went out (and answers a repeated END with it again); a RECEIVE
 * that finds no free slot takes, in this order, an ended stream's whose final report went out, or the one least
 * recently heard of those idle for {@link #EVICT_IDLE_NS} with nothing left to report ({@link #evicted()}). Heard means
 * a datagram or a {@link StreamControlDescriptor#KEEPALIVE} naming the count's nonce, which gen sends for a flow that
 * sent nothing for {@link #KEEPALIVE_NS}: a stream slower than one datagram a second ({@code gen -b 1}) keeps its slot,
 * and a RECEIVE that finds every slot live is refused, not given a live stream's. A RECEIVE never renews a slot, so
 * RECEIVEs from spoofed sources, which send nothing more, hold slots for a second, not a minute; holding one longer
 * costs a datagram or a keepalive every second, as a real stream's. (A sender older than the keepalive, sending under
 * one datagram a second, can still lose its slot when all are taken.) A RECEIVE with a new nonce for a port whose
 * count lives (heard within {@link #EVICT_IDLE_NS}, as a running gen's flow is, one keepalive lost included) restarts
 * it only when it names that count's nonce ({@link StreamControlDescriptor#FLAG_REPLACES}, as gen's restart after its
 * warm-up does): a spoofer knowing only the address and port cannot wipe it. Without that proof it is taken once the
 * count idled that long: the count of a gen that died, whose successor (a new process) cannot name its nonce. What is
 * still refused is counted by reason ({@link #refused(Refusal)}).
 * <p>
 * Datagrams from a port without a stream, and control datagrams that do not parse or name another nonce, are counted
 * ({@link #unsolicited()}, {@link #malformed()}) and ignored: a hostile peer can only make its own stream's figures
 * wrong.
 * <p>
 * Threading: one thread, the guest's ({@link StreamSource} hands it the frames and runs {@link #doWork(long)}).
 * Counting a datagram allocates nothing; the jitter's arrival time is read once per poll ({@link PollArrival},
 * {@link #endPoll()}).
 */
public final class StreamSink
{
    /** Most streams counted at once: two senders' worth of gen's flows. */
    public static final int MAX_SINKS = 2 * StreamSource.MAX_STREAMS;
    /** Most streams of one address (gen's most flows). */
    public static final int MAX_PER_SOURCE = StreamSource.MAX_STREAMS;
    /** A stream without a datagram or control for this long is forgotten. */
    public static final long IDLE_NS = 60_000_000_000L;
    /**
     * How long a sender's stream may send nothing before the sender sends a {@link StreamControlDescriptor#KEEPALIVE}
     * (gen checks each flow this often: a keepalive goes at most twice this after the flow's last datagram, then one
     * each period while the flow sends nothing).
     */
    public static final long KEEPALIVE_NS = 250_000_000L;
    /**
     * A count not heard (data, keepalive) for this long is taken for gone: its slot goes to a new stream when none is
     * free, and a RECEIVE of a new count from its port is taken without naming its nonce. Four keepalive periods (1 s):
     * <ul>
     * <li>above a live gen flow's longest silence, twice {@link #KEEPALIVE_NS} (its last datagram just after a check),
     * with a period to spare for a lost keepalive, or a sender or receiver 250 ms late;</li>
     * <li>below what a new gen process, which cannot name its predecessor's nonce, waits for its RECEIVE's answer
     * (2 s, asking every 200 ms): run at once after a gen killed mid-stream, on the same ports, it is counted, not
     * refused until the dead count is forgotten ({@link #IDLE_NS}).</li>
     * </ul>
     * So the rule stays, at this length: three periods would leave a live stream open to a spoofed restart or eviction
     * after one keepalive lost at the worst moment, to count a restarted gen 250 ms sooner; more would let spoofed
     * RECEIVEs hold slots longer and bring a restarted gen near the end of its wait.
     */
    public static final long EVICT_IDLE_NS = 4 * KEEPALIVE_NS;

    /** Why a RECEIVE found no slot. */
    public enum Refusal
    {
        /** Every slot counts a stream heard within {@link #EVICT_IDLE_NS} or with a report to send. */
        FULL,
        /** Its address counts {@link #MAX_PER_SOURCE} streams already. */
        SOURCE_LIMIT,
        /** Its port's previous stream's final report has not gone out yet (the ring was full): asked again later. */
        FINAL_PENDING,
        /**
         * A new nonce for its port's live count (not ended, heard within {@link #EVICT_IDLE_NS}) that does not name
         * that count's nonce as the one it replaces ({@link StreamControlDescriptor#FLAG_REPLACES}): spoofed, or a
         * sender restarted within the eviction time (its RECEIVE is taken once the old count idles that long).
         */
        LIVE_COUNT
    }

    private static final Refusal[] REFUSALS = Refusal.values();
    /** Bounds of the report interval a peer may ask for. */
    public static final long MIN_INTERVAL_NS = 100_000L;
    /** Bounds of the report interval a peer may ask for. */
    public static final long MAX_INTERVAL_NS = 1_000_000_000L;

    private final GuestStack stack;
    private final FrameSink out;
    private final PollArrival arrival;
    private final FrameMetadata plain = new FrameMetadata();
    private final FrameBuilder builder = new FrameBuilder();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final StreamSinkSlot[] sinks = new StreamSinkSlot[MAX_SINKS];
    /** The sink of the last datagram (a run's datagrams come in long trains of one flow or round-robin). */
    private int last;
    private int active;
    /** Slots below this were ever used: the duty cycle's loops stop there (a run uses its flows' first few). */
    private int used;
    private long unsolicited;
    private long malformed;
    private long reports;
    private long reportFailures;
    private long datagrams;
    private long controls;
    private long evicted;
    private long keepalives;
    private long lateKeepalives;
    private final long[] refused = new long[REFUSALS.length];

    /**
     * @param stack the guest's stack (its MAC and IPv4 address are the reports' source).
     * @param out   where reports go (the vif); non-zero return: not taken, the report goes with the next duty cycle.
     * @param clock the clock of the datagrams' arrival (their send times are the sender's {@code System.nanoTime()}).
     */
    StreamSink(final GuestStack stack, final FrameSink out, final NanoClock clock)
    {
        this.stack = stack;
        this.out = out;
        this.arrival = new PollArrival(clock);
        for (int i = 0; i < MAX_SINKS; i++)
        {
            sinks[i] = new StreamSinkSlot();
        }
    }

    /**
     * A control datagram of {@link StreamControlDescriptor}'s layout from {@code ip:port} (RECEIVE, END or KEEPALIVE; a
     * REPORT is the stream source's).
     *
     * @param buffer  the frame.
     * @param frameOffset offset of the frame (its source MAC is the reports' destination).
     * @param payload offset of the UDP payload.
     * @param length  payload bytes.
     * @param ip      the peer's address.
     * @param port    the peer's UDP port.
     * @param nowNs   the clock now.
     */
    void onControl(
        final DirectBuffer buffer, final int frameOffset, final int payload, final int length, final int ip,
        final int port, final long nowNs)
    {
        final int type = StreamControlDescriptor.type(buffer, payload);
        final int nonce = StreamControlDescriptor.nonce(buffer, payload);
        final StreamSinkSlot sink = find(ip, port);
        if (sink != null && sink.reporter.nonce() == nonce &&
            (type == StreamControlDescriptor.END || type == StreamControlDescriptor.RECEIVE && sink.ended))
        {
            // the count's END, or a repeat of it: the final report (again); once sent, the slot may go to another. Or
            // the ended count's own RECEIVE (late, or sent again while its END went): restarting would wipe the count
            // and answer the next END with an empty final report; the final report goes again instead
            controls++;
            sink.finalReportDue(nowNs);
            return;
        }
        if (type == StreamControlDescriptor.KEEPALIVE && sink != null && sink.reporter.nonce() == nonce)
        {
            controls++;
            if (sink.ended)
            {
                lateKeepalives++; // sent before the END went: nothing to renew, nothing wrong
                return;
            }
            // the sender's stream lives, slower than the eviction time: heard, as a datagram would be (no answer)
            keepalives++;
            sink.heard(nowNs);
            return;
        }
        if (type == StreamControlDescriptor.RECEIVE)
        {
            if (sink != null && sink.reporter.nonce() != nonce && sink.live(nowNs) &&
                !StreamControlDescriptor.replaces(buffer, payload, sink.reporter.nonce()))
            {
                // a new nonce for a live count that does not name it: a spoofer knowing only the address and port
                // (gen's ports are fixed) would wipe the count and leave the real sender's controls malformed
                refused[Refusal.LIVE_COUNT.ordinal()]++;
                return;
            }
            final StreamSinkSlot target = sink != null ? sink : claim(ip, nowNs);
            if (target == null)
            {
                return; // no room: counted by reason; the peer sees no answer and says so
            }
            if (sink == null || sink.reporter.nonce() != nonce || target.ended) // a new count
            {
                if (target.finalReport && report(target, nowNs) == 0)
                {
                    refused[Refusal.FINAL_PENDING.ordinal()]++; // the ended count's last word goes first
                    return;
                }
                if (!target.counting)
                {
                    active++;
                }
                target.start(EthernetHeader.source(buffer, frameOffset), ip, port, nonce,
                    StreamControlDescriptor.a(buffer, payload), sink == null || sink.ended, nowNs);
            }
            target.reporter.schedule(
                (int)Math.min(1 << 20, StreamControlDescriptor.reportEvery(buffer, payload) & 0xFFFF_FFFFL),
                Math.max(MIN_INTERVAL_NS, Math.min(MAX_INTERVAL_NS, StreamControlDescriptor.b(buffer, payload))));
            controls++;
            target.lastActivityNs = nowNs;
            target.reportNow = true; // the answer tells the peer it is counted
            return;
        }
        malformed++;
    }

    /**
     * A datagram of a stream from {@code ip:port}: counted when that port announced one, else {@link #unsolicited()}.
     *
     * @param buffer  the frame.
     * @param payload offset of the UDP payload.
     * @param length  payload bytes.
     * @param ip      the peer's address.
     * @param port    the peer's UDP port.
     */
    void onData(final DirectBuffer buffer, final int payload, final int length, final int ip, final int port)
    {
        StreamSinkSlot sink = sinks[last];
        if (!sink.counting || sink.ended || sink.ip != ip || sink.port != port)
        {
            sink = find(ip, port);
            if (sink == null || sink.ended)
            {
                unsolicited++;
                return;
            }
        }
        datagrams++;
        if (length >= GenPayloadDescriptor.LENGTH)
        {
            sink.reporter.counter().onDatagram(GenPayloadDescriptor.sequence(buffer, payload), length,
                arrival.arrivalNs() - GenPayloadDescriptor.sendTimeNs(buffer, payload));
        }
        else
        {
            sink.reporter.counter().onUnnumbered(length);
        }
    }

    /** The poll ended: the next datagram is of another batch and reads the clock for its arrival. */
    void endPoll()
    {
        arrival.nextPoll();
    }

    /** A control datagram that did not parse, or a report for no stream: counted, ignored. */
    void onMalformed()
    {
        malformed++;
    }

    private StreamSinkSlot find(final int ip, final int port)
    {
        for (int i = 0; i < used; i++)
        {
            final StreamSinkSlot sink = sinks[i];
            if (sink.counting && sink.ip == ip && sink.port == port)
            {
                last = i;
                return sink;
            }
        }
        return null;
    }

    /**
     * A slot for a new stream from {@code ip}: a free one, else an ended stream's whose final report went out, else the
     * one least recently heard (data, keepalive) of the streams idle for {@link #EVICT_IDLE_NS} with nothing to
     * report; null (counted) when there is none or {@code ip} holds {@link #MAX_PER_SOURCE} already (ended streams whose final
     * report went out hold nothing and do not count).
     */
    private StreamSinkSlot claim(final int ip, final long nowNs)
    {
        int ofSource = 0;
        int free = -1;
        int reusable = -1;
        for (int i = 0; i < MAX_SINKS; i++)
        {
            final StreamSinkSlot sink = sinks[i];
            if (!sink.counting)
            {
                free = free < 0 ? i : free;
                continue;
            }
            ofSource += sink.ip == ip && !sink.done() ? 1 : 0;
            if (sink.evictable(nowNs) && (reusable < 0 || sink.givesWayBefore(sinks[reusable])))
            {
                reusable = i;
            }
        }
        if (ofSource >= MAX_PER_SOURCE)
        {
            refused[Refusal.SOURCE_LIMIT.ordinal()]++;
            return null;
        }
        final int slot = free >= 0 ? free : reusable;
        if (slot < 0)
        {
            refused[Refusal.FULL.ordinal()]++;
            return null;
        }
        final StreamSinkSlot sink = sinks[slot];
        if (sink.counting)
        {
            if (!sink.ended)
            {
                evicted++;
            }
            sink.counting = false;
            active--;
        }
        used = Math.max(used, slot + 1);
        return sink;
    }

    /**
     * Sends the reports that are due: asked for (RECEIVE, END), {@code N} datagrams since the last, or the interval
     * passed with datagrams unreported; forgets idle streams.
     *
     * @param nowNs the clock now.
     * @return reports sent.
     */
    int doWork(final long nowNs)
    {
        if (active == 0)
        {
            return 0;
        }
        int work = 0;
        for (int i = 0; i < used; i++)
        {
            final StreamSinkSlot sink = sinks[i];
            if (!sink.counting)
            {
                continue;
            }
            sink.noteArrivals(nowNs);
            if (sink.reportNow || sink.reporter.due(nowNs))
            {
                work += report(sink, nowNs);
            }
            else if (nowNs - sink.lastActivityNs >= IDLE_NS)
            {
                sink.counting = false;
                active--;
            }
        }
        return work;
    }

    private int report(final StreamSinkSlot sink, final long nowNs)
    {
        final int length = sink.reporter.build(builder, frame, sink.mac, stack.mac(), stack.ipv4(), sink.ip,
            StreamSource.PORT, sink.port, sink.finalReport);
        if (out.onFrame(frame, 0, length, plain) != 0)
        {
            reportFailures++;
            return 0; // the ring is full: again next duty cycle
        }
        reports++;
        sink.reported(nowNs);
        return 1;
    }

    /**
     * {@return nanoseconds until a report is due (0 or less: now), {@link Long#MAX_VALUE} when none is pending} The
     * owner's thread sleeps no longer, so the last datagrams of a stream are reported within the interval.
     *
     * @param nowNs the clock now.
     */
    long nanosToNextDue(final long nowNs)
    {
        if (active == 0)
        {
            return Long.MAX_VALUE;
        }
        long due = Long.MAX_VALUE;
        for (int i = 0; i < used; i++)
        {
            final StreamSinkSlot sink = sinks[i];
            if (sink.counting)
            {
                if (sink.reportNow)
                {
                    return 0;
                }
                due = Math.min(due, sink.reporter.nanosToDue(nowNs));
            }
        }
        return due;
    }

    /** {@return streams counted now} */
    public int activeSinks()
    {
        return active;
    }

    /** {@return RECEIVE, END and KEEPALIVE datagrams taken (repeats too; refused and malformed ones are counted apart)} */
    public long controls()
    {
        return controls;
    }

    /** {@return datagrams counted in streams} */
    public long datagrams()
    {
        return datagrams;
    }

    /** {@return datagrams from a port without a stream (never announced, ended, or forgotten)} */
    public long unsolicited()
    {
        return unsolicited;
    }

    /** {@return control datagrams ignored: not of the layout, an END for no stream or another nonce, a bad report} */
    public long malformed()
    {
        return malformed;
    }

    /**
     * {@return RECEIVEs of a new stream refused for {@code reason}}
     *
     * @param reason why.
     */
    public long refused(final Refusal reason)
    {
        return refused[reason.ordinal()];
    }

    /** {@return RECEIVEs refused for any reason} */
    public long refused()
    {
        long sum = 0;
        for (final long count : refused)
        {
            sum += count;
        }
        return sum;
    }

    /** {@return keepalives taken: a live stream's sender said it lives while it sent no data} */
    public long keepalives()
    {
        return keepalives;
    }

    /** {@return keepalives of an ended count (sent before its END went): taken, renewing nothing} */
    public long lateKeepalives()
    {
        return lateKeepalives;
    }

    /** {@return streams not heard for {@link #EVICT_IDLE_NS} whose slot went to a new stream} */
    public long evicted()
    {
        return evicted;
    }

    /** {@return reports sent} */
    public long reports()
    {
        return reports;
    }

    /** {@return reports the ring did not take (sent with a later duty cycle)} */
    public long reportFailures()
    {
        return reportFailures;
    }

    /**
     * {@return the counter of the stream from {@code ip:port}, or null} (tests and the guest's exit line).
     *
     * @param ip   the peer's address.
     * @param port the peer's UDP port.
     */
    public StreamCounter counter(final int ip, final int port)
    {
        final StreamSinkSlot sink = find(ip, port);
        return sink == null ? null : sink.reporter.counter();
    }
}
