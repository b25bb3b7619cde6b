package io.pvnet.engine.guest;

import io.pvnet.checksum.packet.EthernetHeader;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.IpProtocol;
import io.pvnet.checksum.packet.Ipv4Header;
import io.pvnet.checksum.packet.UdpHeader;
import io.pvnet.engine.frame.FrameHandler;
import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameSink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A guest's stream service on UDP port {@link #PORT} (iperf3's), for {@code pvnet gen}'s UDP runs:
 * <ul>
 *   <li><b>Reverse</b> ({@code gen --reverse}, {@code --bidir}): on a {@link StreamRequestDescriptor} start request it
 *       streams datagrams to the requester's address and port (each with a {@link GenPayloadDescriptor} probe:
 *       sequence from 0, send time), at the requested rate, sizes and count or duration, until done or a stop
 *       request; with the request's pacing extension at most its window beyond what the requester reported
 *       ({@link StreamControlDescriptor#REPORT}, {@link StreamCredit}), else as fast as the ring takes them.</li>
 *   <li><b>Forward</b> (gen's one-way default): datagrams of a stream announced by
 *       {@link StreamControlDescriptor#RECEIVE} are counted and reported back by the {@link StreamSink}.</li>
 * </ul>
 * Data, requests and control share the port: a payload starting with {@link StreamControlDescriptor}'s magic and
 * version is control, with {@link StreamRequestDescriptor}'s magic and version 1 a request, anything else data. Up to
 * {@link #MAX_STREAMS} streams each way at once; a request beyond that, or one that does not parse, is counted and
 * ignored.
 * <p>
 * Threading: one thread, the guest's: {@link #onFrame} (first in the guest's receive path; what is not for its port
 * goes to {@link #next}) and {@link #doWork()} (sends what is due, and the sink's reports). Sending and counting
 * allocate nothing; a full ring leaves the datagram for the next duty cycle.
 */
public final class StreamSource implements FrameHandler, Agent
{
    /** UDP port of the service. */
    public static final int PORT = 5201;
    /** Most streams at once. */
    public static final int MAX_STREAMS = 64;
    private static final int BATCH = 32;
    private static final int PAYLOAD_OFFSET = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    private final GuestStack stack;
    private final FrameSink out;
    /** Describes the datagrams sent: plain frames, no offload (this source's thread only). */
    private final FrameMetadata plain = new FrameMetadata();
    private final NanoClock clock;
    private final FrameBuilder builder = new FrameBuilder();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(EthernetHeader.LENGTH + 65535));
    private final Stream[] streams = new Stream[MAX_STREAMS];
    private FrameHandler next;
    private int active;
    /** Streams below this index were ever started: the duty cycle's loops stop there. */
    private int used;
    private final StreamSink sink;
    private long requests;
    private long refused;
    private long sentFrames;
    private long reports;
    private long reportsIgnored;

    private static final class Stream
    {
        boolean running;
        long mac;
        int ip;
        int port;
        final int[] sizes = new int[StreamRequestDescriptor.MAX_SIZES];
        int sizeCount;
        long count;
        long endNs;
        long gapNs;
        long nextNs;
        long sequence;
        /** Paced by the requester's reports (the request carried a window). */
        boolean paced;
        int nonce;
        final StreamCredit credit = new StreamCredit(StreamCredit.MIN);
    }

    /**
     * A stream source on the system clock.
     *
     * @param stack the guest's stack (its MAC and IPv4 address are the streams' source).
     * @param out   where streamed frames go (the vif); non-zero return: not taken, retried later.
     */
    public StreamSource(final GuestStack stack, final FrameSink out)
    {
        this(stack, out, new SystemNanoClock());
    }

    /**
     * As {@link #StreamSource(GuestStack, FrameSink)} with a clock (tests).
     *
     * @param stack the guest's stack (its MAC and IPv4 address are the streams' source).
     * @param out   where streamed frames go (the vif); non-zero return: not taken, retried later.
     * @param clock the clock of rates and durations, and of the probes' send times.
     */
    public StreamSource(final GuestStack stack, final FrameSink out, final NanoClock clock)
    {
        this.stack = stack;
        this.out = out;
        this.clock = clock;
        this.sink = new StreamSink(stack, out, clock);
        for (int i = 0; i < MAX_STREAMS; i++)
        {
            streams[i] = new Stream();
        }
        // every datagram's payload starts at the same offset: the pattern is written once, the probe per datagram
        GenPayloadDescriptor.fillPattern(frame, PAYLOAD_OFFSET, frame.capacity() - PAYLOAD_OFFSET);
    }

    /**
     * Frames that are not stream requests go to {@code handler}.
     *
     * @param handler the next handler (usually the {@link GuestStack}), called on this thread; may be null.
     * @return this.
     */
    public StreamSource next(final FrameHandler handler)
    {
        next = handler;
        return this;
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        final int ip = offset + EthernetHeader.LENGTH;
        if (length >= EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH &&
            EthernetHeader.etherType(buffer, offset) == EthernetHeader.ETHERTYPE_IPV4 &&
            Ipv4Header.protocol(buffer, ip) == IpProtocol.UDP &&
            Ipv4Header.destination(buffer, ip) == stack.ipv4())
        {
            final int l4 = ip + Ipv4Header.headerLength(buffer, ip);
            if (l4 + UdpHeader.LENGTH <= offset + length && UdpHeader.destinationPort(buffer, l4) == PORT)
            {
                final int payload = l4 + UdpHeader.LENGTH;
                final int payloadLength = Math.min(offset + length, ip + Ipv4Header.totalLength(buffer, ip)) - payload;
                if (payloadLength < 0) // an IPv4 total length shorter than its own headers
                {
                    sink.onMalformed();
                    return;
                }
                final int peer = Ipv4Header.source(buffer, ip);
                final int peerPort = UdpHeader.sourcePort(buffer, l4);
                if (StreamControlDescriptor.hasHeader(buffer, payload, payloadLength))
                {
                    control(buffer, offset, payload, payloadLength, peer, peerPort);
                }
                else if (StreamRequestDescriptor.hasHeader(buffer, payload, payloadLength))
                {
                    request(buffer, offset, payload, payloadLength, peer, peerPort);
                }
                else
                {
                    sink.onData(buffer, payload, payloadLength, peer, peerPort);
                }
                return;
            }
        }
        if (next != null)
        {
            next.onFrame(buffer, offset, length, metadata);
        }
    }

    private void control(
        final DirectBuffer buffer, final int frameOffset, final int payload, final int length, final int ip,
        final int port)
    {
        if (!StreamControlDescriptor.isValid(buffer, payload, length))
        {
            sink.onMalformed();
            return;
        }
        final long now = clock.nanoTime();
        if (StreamControlDescriptor.type(buffer, payload) != StreamControlDescriptor.REPORT)
        {
            sink.onControl(buffer, frameOffset, payload, length, ip, port, now);
            return;
        }
        final int nonce = StreamControlDescriptor.nonce(buffer, payload);
        for (int i = 0; i < used; i++)
        {
            final Stream stream = streams[i];
            if (stream.running && stream.paced && stream.ip == ip && stream.port == port && stream.nonce == nonce)
            {
                if (stream.credit.onReport(StreamControlDescriptor.c(buffer, payload),
                    StreamControlDescriptor.a(buffer, payload), StreamControlDescriptor.e(buffer, payload), 0, now) !=
                    StreamCredit.IGNORED)
                {
                    reports++;
                }
                else
                {
                    reportsIgnored++; // well formed, the right nonce, a sequence never sent: forged or stale
                }
                return;
            }
        }
        sink.onMalformed(); // a report for no stream of this source (ended, or another nonce)
    }

    private void request(
        final DirectBuffer buffer, final int frameOffset, final int offset, final int length, final int ip, final int port)
    {
        requests++;
        if (!StreamRequestDescriptor.isValid(buffer, offset, length))
        {
            refused++;
            return;
        }
        final int command = StreamRequestDescriptor.command(buffer, offset);
        Stream free = null;
        int freeIndex = -1;
        for (int i = 0; i < MAX_STREAMS; i++)
        {
            final Stream stream = streams[i];
            if (stream.running && stream.ip == ip && stream.port == port)
            {
                if (command == StreamRequestDescriptor.STOP)
                {
                    stop(stream);
                }
                return; // a repeated start: already streaming
            }
            if (!stream.running && free == null)
            {
                free = stream;
                freeIndex = i;
            }
        }
        if (command != StreamRequestDescriptor.START)
        {
            return;
        }
        final int sizeCount = StreamRequestDescriptor.sizeCount(buffer, offset);
        for (int i = 0; i < sizeCount; i++)
        {
            final int size = StreamRequestDescriptor.size(buffer, offset, i);
            if (size < 1 || size > TrafficGenerator.MAX_PAYLOAD)
            {
                refused++;
                return;
            }
        }
        if (free == null)
        {
            refused++;
            return;
        }
        final long now = clock.nanoTime();
        final long rate = StreamRequestDescriptor.rate(buffer, offset);
        used = Math.max(used, freeIndex + 1);
        free.running = true;
        free.mac = EthernetHeader.source(buffer, frameOffset);
        free.ip = ip;
        free.port = port;
        free.sizeCount = sizeCount;
        for (int i = 0; i < sizeCount; i++)
        {
            free.sizes[i] = StreamRequestDescriptor.size(buffer, offset, i);
        }
        free.count = StreamRequestDescriptor.count(buffer, offset);
        free.endNs = now + Math.min(StreamRequestDescriptor.durationNs(buffer, offset), 86_400_000_000_000L);
        free.gapNs = rate > 0 ? Math.max(1, 1_000_000_000L / rate) : 0;
        free.nextNs = now;
        free.sequence = 0;
        final int window = StreamRequestDescriptor.window(buffer, offset, length);
        free.paced = window > 0;
        if (free.paced)
        {
            free.nonce = StreamRequestDescriptor.nonce(buffer, offset);
            free.credit.start(Math.max(StreamCredit.MIN, Math.min(1 << 20, window)), 0, now);
        }
        active++;
    }

    private void stop(final Stream stream)
    {
        stream.running = false;
        active--;
    }

    @Override
    public int doWork()
    {
        sink.endPoll(); // the duty cycle runs this after each poll
        if (active == 0 && sink.activeSinks() == 0)
        {
            return 0;
        }
        final long now = clock.nanoTime();
        int work = sink.doWork(now);
        for (int i = 0; i < used; i++)
        {
            final Stream stream = streams[i];
            if (stream.running)
            {
                work += send(stream, now);
            }
        }
        return work;
    }

    private int send(final Stream stream, final long now)
    {
        if (now - stream.endNs >= 0 || (stream.count > 0 && stream.sequence >= stream.count))
        {
            stop(stream);
            return 1;
        }
        int sent = 0;
        while (sent < BATCH && (stream.gapNs == 0 || now - stream.nextNs >= 0) &&
            (stream.count == 0 || stream.sequence < stream.count) && (!stream.paced || stream.credit.maySend(now)))
        {
            final int size = stream.sizes[(int)(stream.sequence % stream.sizeCount)];
            builder.wrap(frame, 0).ethernet(stream.mac, stack.mac()).ipv4(stack.ipv4(), stream.ip)
                .identification((int)stream.sequence & 0xFFFF).udp(PORT, stream.port);
            GenPayloadDescriptor.writeProbe(frame, builder.payloadOffset(), size, (int)stream.sequence, now);
            final int length = builder.payloadLength(size).build();
            if (out.onFrame(frame, 0, length, plain) != 0)
            {
                break; // ring full: the same datagram next time
            }
            stream.sequence++;
            if (stream.paced)
            {
                stream.credit.onSend(); // an unpaced stream's credit is never asked: the sequence counts what went
            }
            stream.nextNs += stream.gapNs;
            sent++;
            sentFrames++;
        }
        if (stream.gapNs > 0 && now - stream.nextNs > 100_000_000L)
        {
            stream.nextNs = now; // fell more than 100 ms behind the rate: do not burst to catch up
        }
        if (stream.count > 0 && stream.sequence >= stream.count)
        {
            stop(stream); // done now: a finished stream keeps no timer (its owner need not wake for it)
        }
        return sent;
    }

    /**
     * When this source next has a datagram due or a stream to end: the owner's idle strategy sleeps no longer (its
     * thread is otherwise woken only by frames, and its longest sleep is a safety net of a second). Source's thread.
     *
     * @param nowNs the clock's time now.
     * @return nanoseconds until then (0 or less: due now), {@link Long#MAX_VALUE} with no stream running.
     */
    public long nanosToNextDue(final long nowNs)
    {
        long due = sink.nanosToNextDue(nowNs);
        if (active == 0)
        {
            return due;
        }
        for (int i = 0; i < used; i++)
        {
            final Stream stream = streams[i];
            if (stream.running)
            {
                // unpaced: due at once; at a rate: its next datagram; a full window: its timeout (a report wakes the
                // thread before); in any case no later than its end
                long next = stream.gapNs == 0 ? 0 : stream.nextNs - nowNs;
                final long timeout = stream.paced ? stream.credit.nanosToTimeout(nowNs) : Long.MAX_VALUE;
                if (timeout != Long.MAX_VALUE)
                {
                    next = Math.max(next, timeout);
                }
                due = Math.min(due, Math.min(next, stream.endNs - nowNs));
            }
        }
        return due;
    }

    @Override
    public String roleName()
    {
        return "stream-source";
    }

    /**
     * {@return requests received (valid or not)}
     */
    public long requests()
    {
        return requests;
    }

    /**
     * {@return requests ignored: malformed, bad sizes, or no free stream}
     */
    public long refused()
    {
        return refused;
    }

    /**
     * {@return datagrams streamed}
     */
    public long sentFrames()
    {
        return sentFrames;
    }

    /**
     * {@return reports from the requesters of paced streams}
     */
    public long reports()
    {
        return reports;
    }

    /** {@return reports of the right nonce ignored: stale, or a sequence beyond what was sent (forged)} */
    public long reportsIgnored()
    {
        return reportsIgnored;
    }

    /**
     * {@return the receiving end of the one-way streams sent to this port}
     */
    public StreamSink sink()
    {
        return sink;
    }

    /**
     * {@return streams running now}
     */
    public int activeStreams()
    {
        return active;
    }
}
