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
 * A guest's stream service for {@code pvnet gen --reverse} and {@code --bidir}: on a {@link StreamRequestDescriptor}
 * start request to UDP port {@link #PORT} it streams datagrams to the requester's address and port (each with a
 * {@link GenPayloadDescriptor} probe: sequence from 0, send time), at the requested rate, sizes and count or duration,
 * until done or a stop request. Up to {@link #MAX_STREAMS} streams at once (one per flow of the generator); a request
 * beyond that, or one that does not parse, is counted and ignored.
 * <p>
 * Threading: one thread, the guest's: {@link #onFrame} (handed by the {@link GuestStack} as its
 * {@link GuestStack#other other} handler) and {@link #doWork()} (sends what is due). Sending allocates nothing; a full
 * ring leaves the datagram for the next duty cycle.
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
    private long requests;
    private long refused;
    private long sentFrames;

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
                request(buffer, offset, payload, Math.min(offset + length, ip + Ipv4Header.totalLength(buffer, ip)) -
                    payload, Ipv4Header.source(buffer, ip), UdpHeader.sourcePort(buffer, l4));
                return;
            }
        }
        if (next != null)
        {
            next.onFrame(buffer, offset, length, metadata);
        }
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
        for (final Stream stream : streams)
        {
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
        if (active == 0)
        {
            return 0;
        }
        final long now = clock.nanoTime();
        int work = 0;
        for (final Stream stream : streams)
        {
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
            (stream.count == 0 || stream.sequence < stream.count))
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
        if (active == 0)
        {
            return Long.MAX_VALUE;
        }
        long due = Long.MAX_VALUE;
        for (final Stream stream : streams)
        {
            if (stream.running)
            {
                // unpaced: due at once; paced: its next datagram; either way no later than its end
                final long next = stream.gapNs == 0 ? 0 : Math.min(stream.nextNs - nowNs, stream.endNs - nowNs);
                due = Math.min(due, next);
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
     * {@return streams running now}
     */
    public int activeStreams()
    {
        return active;
    }
}
