package io.pvnet.engine.port.vxlan;

import io.pvnet.engine.frame.FrameMetadata;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A switch port that joins the bridge to a remote VTEP over VXLAN (RFC 7348): each frame the bridge gives it is sent
 * as one UDP datagram (VXLAN header with the configured VNI, then the frame) to the remote; each datagram received
 * with the I flag and this VNI is handed, without its VXLAN header, to the ingress sink. Interoperates with the Linux
 * kernel's vxlan devices.
 * <p>
 * Transport: Netty's epoll datagram channel when the epoll native library is present, else Netty's NIO datagram
 * channel, both driven by a {@link ManualIoEventLoop} that this agent runs in its own {@link #doWork}: receive
 * callbacks, writes and the flushes (every 32 datagrams and at the end of each duty cycle) all happen on the agent's thread, so the port needs no queues. Run the
 * agent on the bridge thread (a {@link org.agrona.concurrent.CompositeAgent} with the bridge).
 * <p>
 * The port declares no offloads: the bridge completes checksums and splits GSO frames to the inner MTU before they
 * are encapsulated. Per frame it uses one pooled Netty buffer and one {@link DatagramPacket} holder (Netty's API
 * needs it for an unconnected channel); received frames are handed on in place when Netty's buffer has a memory
 * address, else through one reused staging buffer.
 * <p>
 * Threading: created on any thread; from {@link #onStart} on, {@link #doWork} and {@link #onFrame} on the agent's
 * thread only.
 */
public final class VxlanPort implements Port, Agent
{
    private static final int MAX_FRAME = 65535;
    /** Most datagrams in one UDP GSO send (the kernel's UDP_MAX_SEGMENTS is 64 on older kernels). */
    private static final int GSO_MAX_SEGMENTS = 64;
    /** Most bytes in one UDP GSO send: the UDP payload limit of an IPv4 datagram, less headroom. */
    private static final int GSO_MAX_BYTES = 65_000;
    /** Datagrams written before a flush within one duty cycle. */
    private static final int FLUSH_BATCH = 32;
    private static final FrameSink DISCONNECTED = (buffer, offset, length, metadata) ->
        PortDropReason.WRITE_FAILED;

    private final VxlanConfig config;
    private ManualIoEventLoop loop;
    private Channel channel;
    private final PortCounters counters = new PortCounters();
    /** Describes each decapsulated frame, for the ingress sink (the agent's thread only, reused). */
    private final FrameMetadata receivedMetadata = new FrameMetadata();
    private final UnsafeBuffer received = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer staging = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME + 64));
    private final UnsafeBuffer outbound = new UnsafeBuffer(0, 0);
    private final boolean epoll;
    private FrameSink ingress = DISCONNECTED;
    private int unflushed;
    private final boolean gso;
    private boolean gro;
    private ByteBuf pending;
    private int pendingSegment;
    private int pendingCount;
    private long gsoBatches;
    private long wrongVni;
    private long malformed;

    /**
     * Checks that the local address can be bound (a trial bind, released at once); the port's socket is bound by
     * {@link #onStart} on the agent's thread, which owns the Netty event loop from then on.
     *
     * @param config the tunnel: local and remote VTEP, VNI and inner MTU.
     * @throws IllegalStateException when the address cannot be bound.
     */
    public VxlanPort(final VxlanConfig config)
    {
        this.config = config;
        epoll = Epoll.isAvailable();
        gso = epoll && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
        if (config.local().getPort() != 0)
        {
            try (java.net.DatagramSocket trial = new java.net.DatagramSocket(config.local()))
            {
                trial.getLocalPort();
            }
            catch (final java.io.IOException ex)
            {
                throw new IllegalStateException("cannot bind local=" + config.local() + ": " + ex.getMessage(), ex);
            }
        }
    }

    private void await(final ChannelFuture future, final String what)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!future.isDone() && System.nanoTime() - deadline < 0)
        {
            loop.run(1_000_000L);
        }
        if (!future.isSuccess())
        {
            throw new IllegalStateException(what + " failed: " + future.cause(), future.cause());
        }
    }

    /**
     * Sets where frames from the remote VTEP go. Before the agent starts.
     *
     * @param sink usually {@code bridge.ingress(index)} for this port's index; called on the agent's thread.
     * @return this port.
     */
    public VxlanPort ingress(final FrameSink sink)
    {
        ingress = sink;
        return this;
    }

    /** {@return the bound local address (the real port when configured with 0); after {@link #onStart}} */
    public java.net.InetSocketAddress localAddress()
    {
        return (java.net.InetSocketAddress)channel.localAddress();
    }

    /** {@return whether Netty's epoll transport is in use (else NIO)} */
    public boolean usesEpoll()
    {
        return epoll;
    }

    /** {@return this port's frame and byte counters and drops by reason} */
    public PortCounters counters()
    {
        return counters;
    }

    /** {@return datagrams with another VNI (not ours, dropped)} */
    public long wrongVniCount()
    {
        return wrongVni;
    }

    /** {@return datagrams too short for a VXLAN header and an Ethernet header, or without the I flag} */
    public long malformedCount()
    {
        return malformed;
    }

    @Override
    public String name()
    {
        return "vxlan:" + config.vni() + "@" + config.remote();
    }

    @Override
    public int offloads()
    {
        return PortOffloads.NONE;
    }

    @Override
    public int mtu()
    {
        return config.mtu();
    }

    @Override
    public String roleName()
    {
        return "vxlan-" + config.vni();
    }

    /** Creates the event loop owned by this thread, registers the channel and binds it. */
    @Override
    public void onStart()
    {
        final IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        loop = new ManualIoEventLoop(Thread.currentThread(), factory);
        channel = epoll ? new EpollDatagramChannel() : new NioDatagramChannel();
        channel.config().setOption(ChannelOption.SO_RCVBUF, 4 << 20);
        channel.config().setOption(ChannelOption.SO_SNDBUF, 4 << 20);
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1 << 20, 4 << 20));
        // a datagram can carry a 64 KiB inner frame; Netty's default datagram receive buffer is 2048 bytes
        channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_FRAME + VxlanHeaderDescriptor.LENGTH));
        channel.pipeline().addLast(new Receiver());
        if (epoll)
        {
            // GRO: the kernel may hand over several datagrams of one flow at once; Netty's epoll channel cuts them
            // back into one DatagramPacket each, so the receiver is unchanged
            try
            {
                gro = channel.config().setOption(EpollChannelOption.UDP_GRO, true);
            }
            catch (final io.netty.channel.ChannelException ex)
            {
                gro = false;
            }
        }
        try
        {
            await(loop.register(channel), "register");
            await(channel.bind(config.local()), "bind local=" + config.local());
        }
        catch (final RuntimeException ex)
        {
            onClose();
            throw ex;
        }
    }

    @Override
    public int doWork()
    {
        if (loop == null)
        {
            return 0;
        }
        int work = loop.runNow();
        flushPending();
        if (unflushed > 0)
        {
            channel.flush();
            work += unflushed;
            unflushed = 0;
        }
        return work;
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        if (length < HeaderParser.ETHERNET_HEADER_LENGTH || length > MAX_FRAME || offset < 0 ||
            offset + length > buffer.capacity())
        {
            counters.txDropped(PortDropReason.RUNT);
            return PortDropReason.RUNT;
        }
        if (metadata.isGso() || metadata.isChecksumPartial())
        {
            counters.txDropped(PortDropReason.OFFLOAD_UNSUPPORTED);
            return PortDropReason.OFFLOAD_UNSUPPORTED;
        }
        if (channel == null || !channel.isActive() || !channel.isWritable())
        {
            counters.txDropped(PortDropReason.WRITE_FAILED);
            return PortDropReason.WRITE_FAILED;
        }
        final int total = VxlanHeaderDescriptor.LENGTH + length;
        if (gso)
        {
            appendSegment(buffer, offset, length, total);
        }
        else
        {
            final ByteBuf datagram = channel.alloc().directBuffer(total);
            encapsulate(datagram, buffer, offset, length);
            write(new DatagramPacket(datagram, config.remote()));
        }
        counters.txSent(length);
        return 0;
    }

    /**
     * UDP GSO: consecutive datagrams of one size (the segments of a frame the bridge split) go out as one
     * {@link SegmentedDatagramPacket}, one sendmsg for up to {@link #GSO_MAX_SEGMENTS}; the kernel cuts it. A shorter
     * datagram ends the batch (the kernel allows a short last segment); a longer one starts a new batch.
     */
    private void appendSegment(final DirectBuffer buffer, final int offset, final int length, final int total)
    {
        if (total > GSO_MAX_BYTES)
        {
            flushPending();
            final ByteBuf datagram = channel.alloc().directBuffer(total);
            encapsulate(datagram, buffer, offset, length);
            write(new DatagramPacket(datagram, config.remote()));
            return;
        }
        if (pending != null && (total > pendingSegment || pendingCount >= GSO_MAX_SEGMENTS ||
            pending.writerIndex() + total > GSO_MAX_BYTES))
        {
            flushPending();
        }
        if (pending == null)
        {
            pending = channel.alloc().directBuffer(GSO_MAX_BYTES);
            pendingSegment = total;
            pendingCount = 0;
        }
        encapsulate(pending, buffer, offset, length);
        pendingCount++;
        if (total < pendingSegment)
        {
            flushPending();
        }
    }

    private void flushPending()
    {
        if (pending == null)
        {
            return;
        }
        final ByteBuf batch = pending;
        pending = null;
        if (pendingCount == 1)
        {
            write(new DatagramPacket(batch, config.remote()));
        }
        else
        {
            gsoBatches++;
            write(new SegmentedDatagramPacket(batch, pendingSegment, config.remote()));
        }
    }

    private void write(final Object datagram)
    {
        channel.write(datagram, channel.voidPromise());
        // flush per batch: a split TSO frame is dozens of datagrams, more than Netty's write buffer should queue
        if (++unflushed >= FLUSH_BATCH)
        {
            channel.flush();
            unflushed = 0;
        }
    }

    /** Appends the VXLAN header and the frame at {@code datagram}'s writer index. */
    private void encapsulate(final ByteBuf datagram, final DirectBuffer buffer, final int offset, final int length)
    {
        final int total = VxlanHeaderDescriptor.LENGTH + length;
        if (datagram.hasMemoryAddress())
        {
            outbound.wrap(datagram.memoryAddress() + datagram.writerIndex(), total);
            VxlanHeaderDescriptor.write(outbound, 0, config.vni());
            outbound.putBytes(VxlanHeaderDescriptor.LENGTH, buffer, offset, length);
            datagram.writerIndex(datagram.writerIndex() + total);
        }
        else
        {
            VxlanHeaderDescriptor.write(staging, 0, config.vni());
            staging.putBytes(VxlanHeaderDescriptor.LENGTH, buffer, offset, length);
            final ByteBuffer view = staging.byteBuffer();
            view.limit(total).position(0);
            datagram.writeBytes(view);
            view.clear();
        }
    }

    /** {@return how many GSO batches (more than one datagram in one send) were written} */
    public long gsoBatches()
    {
        return gsoBatches;
    }

    /** {@return whether UDP GSO is used for sending and UDP_GRO was switched on for receiving} */
    public boolean usesUdpOffload()
    {
        return gso && gro;
    }

    private void onDatagram(final ByteBuf content)
    {
        final int length = content.readableBytes();
        if (length < VxlanHeaderDescriptor.LENGTH + HeaderParser.ETHERNET_HEADER_LENGTH || length > MAX_FRAME)
        {
            malformed++;
            counters.rxDropped(PortDropReason.MALFORMED);
            return;
        }
        final DirectBuffer frame;
        if (content.hasMemoryAddress())
        {
            received.wrap(content.memoryAddress() + content.readerIndex(), length);
            frame = received;
        }
        else
        {
            final ByteBuffer view = staging.byteBuffer();
            view.limit(length).position(0);
            content.getBytes(content.readerIndex(), view);
            view.clear();
            frame = staging;
        }
        if (!VxlanHeaderDescriptor.hasVni(frame, 0))
        {
            malformed++;
            counters.rxDropped(PortDropReason.MALFORMED);
            return;
        }
        if (VxlanHeaderDescriptor.vni(frame, 0) != config.vni())
        {
            wrongVni++;
            counters.rxDropped(PortDropReason.WRONG_VNI);
            return;
        }
        final int frameLength = length - VxlanHeaderDescriptor.LENGTH;
        counters.add(PortCounters.RX_FRAMES, 1);
        counters.add(PortCounters.RX_BYTES, frameLength);
        if (ingress.onFrame(frame, VxlanHeaderDescriptor.LENGTH, frameLength, receivedMetadata.set(0, 0, 0)) != 0)
        {
            counters.add(PortCounters.RX_REFUSED, 1);
        }
    }

    @Override
    public void onClose()
    {
        if (pending != null)
        {
            pending.release();
            pending = null;
        }
        if (loop == null)
        {
            return;
        }
        channel.close();
        loop.runNow();
        loop.shutdown();
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (!loop.isTerminated() && System.nanoTime() - deadline < 0)
        {
            loop.run(1_000_000L);
        }
        loop = null;
        channel = null;
    }

    /** Netty's inbound end: every datagram goes to {@link #onDatagram} and is released at once. */
    private final class Receiver extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            if (msg instanceof DatagramPacket packet)
            {
                try
                {
                    onDatagram(packet.content());
                }
                finally
                {
                    packet.release();
                }
            }
            else
            {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            counters.add(PortCounters.RX_ERRORS, 1);
        }
    }
}
