package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The receiving end of {@code pvnet gen}'s one-way UDP streams (iperf3's server): a stream announced by a
 * {@link StreamControlDescriptor#RECEIVE} from a port of a peer is counted by its sequence numbers
 * ({@link StreamCounter}) and reported back to that port from {@link StreamSource#PORT}: at once on the RECEIVE, every
 * {@code N} datagrams the peer asked for (checked once per duty cycle, after the poll), every report interval while
 * datagrams come, and finally on the stream's {@link StreamControlDescriptor#END}. Up to {@link #MAX_SINKS} streams at
 * once; a stream nobody sends on for {@link #IDLE_NS} is forgotten.
 * <p>
 * Datagrams from a port without a stream, and control datagrams that do not parse or name another nonce, are counted
 * ({@link #unsolicited()}, {@link #malformed()}) and ignored: a hostile peer can only make its own stream's figures
 * wrong.
 * <p>
 * Threading: one thread, the guest's ({@link StreamSource} hands it the frames and runs {@link #doWork(long)}). Counting
 * a datagram allocates nothing and reads no clock.
 */
public final class StreamSink
{
    /** Most streams counted at once. */
    public static final int MAX_SINKS = StreamSource.MAX_STREAMS;
    /** A stream without a datagram or control for this long is forgotten. */
    public static final long IDLE_NS = 60_000_000_000L;
    /** Bounds of the report interval a peer may ask for. */
    public static final long MIN_INTERVAL_NS = 100_000L;
    /** Bounds of the report interval a peer may ask for. */
    public static final long MAX_INTERVAL_NS = 1_000_000_000L;

    private final GuestStack stack;
    private final FrameSink out;
    private final FrameMetadata plain = new FrameMetadata();
    private final FrameBuilder builder = new FrameBuilder();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final Sink[] sinks = new Sink[MAX_SINKS];
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

    private static final class Sink
    {
        boolean counting;
        boolean ended;
        boolean reportNow;
        boolean finalReport;
        long mac;
        int ip;
        int port;
        int nonce;
        int every;
        long intervalNs;
        long lastReportNs;
        long lastSeenReceived;
        long lastActivityNs;
        final StreamCounter counter = new StreamCounter();
    }

    /**
     * @param stack the guest's stack (its MAC and IPv4 address are the reports' source).
     * @param out   where reports go (the vif); non-zero return: not taken, the report goes with the next duty cycle.
     */
    StreamSink(final GuestStack stack, final FrameSink out)
    {
        this.stack = stack;
        this.out = out;
        for (int i = 0; i < MAX_SINKS; i++)
        {
            sinks[i] = new Sink();
        }
    }

    /**
     * A control datagram of {@link StreamControlDescriptor}'s layout from {@code ip:port} (RECEIVE or END; a REPORT is
     * the stream source's).
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
        controls++;
        final int type = StreamControlDescriptor.type(buffer, payload);
        final int nonce = StreamControlDescriptor.nonce(buffer, payload);
        final Sink sink = find(ip, port);
        if (type == StreamControlDescriptor.RECEIVE)
        {
            final Sink target = sink != null ? sink : free();
            if (target == null)
            {
                malformed++; // no room: the peer sees no answer and says so
                return;
            }
            if (sink == null || sink.nonce != nonce || target.ended)
            {
                if (!target.counting)
                {
                    active++;
                }
                target.counting = true;
                target.ended = false;
                target.mac = EthernetHeader.source(buffer, frameOffset);
                target.ip = ip;
                target.port = port;
                target.nonce = nonce;
                target.counter.start(StreamControlDescriptor.a(buffer, payload));
                target.lastSeenReceived = 0;
            }
            target.every = (int)Math.max(1, Math.min(1 << 20, StreamControlDescriptor.reportEvery(buffer, payload) & 0xFFFF_FFFFL));
            target.intervalNs = Math.max(MIN_INTERVAL_NS, Math.min(MAX_INTERVAL_NS, StreamControlDescriptor.b(buffer, payload)));
            target.lastActivityNs = nowNs;
            target.reportNow = true; // the answer tells the peer it is counted
            return;
        }
        if (type == StreamControlDescriptor.END && sink != null && sink.nonce == nonce)
        {
            sink.ended = true; // a repeated END gets the final report again; the slot is free for another stream
            sink.finalReport = true;
            sink.reportNow = true;
            sink.lastActivityNs = nowNs;
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
        Sink sink = sinks[last];
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
            sink.counter.onDatagram(GenPayloadDescriptor.sequence(buffer, payload), length);
        }
        else
        {
            sink.counter.onUnnumbered(length);
        }
    }

    /** A control datagram that did not parse, or a report for no stream: counted, ignored. */
    void onMalformed()
    {
        malformed++;
    }

    private Sink find(final int ip, final int port)
    {
        for (int i = 0; i < used; i++)
        {
            final Sink sink = sinks[i];
            if (sink.counting && sink.ip == ip && sink.port == port)
            {
                last = i;
                return sink;
            }
        }
        return null;
    }

    private Sink free()
    {
        for (int i = 0; i < MAX_SINKS; i++)
        {
            if (!sinks[i].counting || sinks[i].ended)
            {
                used = Math.max(used, i + 1);
                return sinks[i];
            }
        }
        return null;
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
            final Sink sink = sinks[i];
            if (!sink.counting)
            {
                continue;
            }
            final long unreported = sink.counter.unreported();
            if (sink.counter.received() != sink.lastSeenReceived)
            {
                sink.lastSeenReceived = sink.counter.received();
                sink.lastActivityNs = nowNs;
            }
            if (sink.reportNow || unreported >= sink.every ||
                (unreported > 0 && nowNs - sink.lastReportNs >= sink.intervalNs))
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

    private int report(final Sink sink, final long nowNs)
    {
        builder.wrap(frame, 0).ethernet(sink.mac, stack.mac()).ipv4(stack.ipv4(), sink.ip)
            .udp(StreamSource.PORT, sink.port);
        final int length = StreamControlDescriptor.writeReport(frame, builder.payloadOffset(), sink.nonce, sink.counter,
            sink.finalReport);
        if (out.onFrame(frame, 0, builder.payloadLength(length).build(), plain) != 0)
        {
            reportFailures++;
            return 0; // the ring is full: again next duty cycle
        }
        reports++;
        sink.counter.reported();
        sink.reportNow = false;
        sink.finalReport = false;
        sink.lastReportNs = nowNs;
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
            final Sink sink = sinks[i];
            if (sink.counting)
            {
                if (sink.reportNow)
                {
                    return 0;
                }
                if (sink.counter.unreported() > 0)
                {
                    due = Math.min(due, sink.lastReportNs + sink.intervalNs - nowNs);
                }
            }
        }
        return due;
    }

    /** {@return streams counted now} */
    public int activeSinks()
    {
        return active;
    }

    /** {@return RECEIVE and END datagrams taken (repeats too)} */
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

    /** {@return control datagrams ignored: no room for another stream, an END for no stream or another nonce} */
    public long malformed()
    {
        return malformed;
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
        final Sink sink = find(ip, port);
        return sink == null ? null : sink.counter;
    }
}
