package io.pvnet.engine.port.tap;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.checksum.offload.ChecksumOffload;
import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.pvnet.engine.port.tap.VirtioNetHeaderDescriptor.*;

/**
 * A switch port to the Linux kernel through a {@link TapDevice}: frames the bridge gives it ({@link #onFrame}) are
 * written with a virtio-net header that carries their offload state (a {@code CSUM_PARTIAL} frame gets
 * {@code NEEDS_CSUM} with {@code csum_start/csum_offset}, a GSO frame its {@code gso_type/gso_size/hdr_len}), and its
 * agent ({@link #doWork}) reads what the kernel sends, maps the header back to {@link FrameFlags} and a GSO size, and
 * hands each frame to the ingress sink.
 * <p>
 * With {@code offload} the port declares {@link PortOffloads#ALL} (the kernel finishes checksums and segments);
 * without it, {@link PortOffloads#NONE}: the bridge completes everything first, and the kernel sends us only complete
 * frames within its MTU.
 * <p>
 * Threading: {@link #onFrame} on the bridge thread; {@link #doWork} on the port agent's thread; {@link #ingress} before
 * the agent starts. Allocates nothing per frame.
 */
public final class TapPort implements Port, Agent
{
    /** Frames read per duty cycle. */
    public static final int READ_BATCH = 64;
    /** The largest frame with header the port reads: a 64 KiB GSO packet + Ethernet + VLAN + virtio-net header. */
    public static final int READ_CAPACITY = LENGTH + 18 + 65535 + 64;

    private static final FrameSink DISCONNECTED = (buffer, offset, length, metadata) ->
        PortDropReason.WRITE_FAILED;

    private final TapDevice device;
    private final int mtu;
    private final PortCounters counters = new PortCounters();
    private final PacketHeaders headers = new PacketHeaders();
    /** Describes each frame read from the device, for the ingress sink (the agent's thread only, reused). */
    private final FrameMetadata received = new FrameMetadata();
    private final UnsafeBuffer readBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(READ_CAPACITY));
    private final UnsafeBuffer writeHeader = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    private final UnsafeBuffer iovec = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * LinuxTapCalls.IOVEC_LENGTH));
    private final UnsafeBuffer staging = new UnsafeBuffer(ByteBuffer.allocateDirect(READ_CAPACITY));
    private FrameSink ingress = DISCONNECTED;

    /**
     * A port over an open TAP device; the port owns the device from here on.
     *
     * @param device the open TAP; closed by {@link #onClose()}.
     * @param mtu    the port MTU (IP bytes), {@code 68..65535}.
     * @throws IllegalArgumentException if {@code mtu} is outside {@code 68..65535}.
     */
    public TapPort(final TapDevice device, final int mtu)
    {
        if (mtu < 68 || mtu > 65535)
        {
            throw new IllegalArgumentException("mtu=" + mtu + " must be in 68..65535");
        }
        this.device = device;
        this.mtu = mtu;
        iovec.putLong(0, writeHeader.addressOffset());
        iovec.putLong(8, LENGTH);
    }

    /**
     * Sets where frames read from the kernel go. Call before the agent runs.
     *
     * @param sink usually {@code bridge.ingress(index)} for this port's index; called on the agent's thread.
     * @return this port.
     */
    public TapPort ingress(final FrameSink sink)
    {
        ingress = sink;
        return this;
    }

    /** {@return the TAP device this port reads and writes} */
    public TapDevice device()
    {
        return device;
    }

    /** {@return this port's frame and byte counters and drops by reason} */
    public PortCounters counters()
    {
        return counters;
    }

    @Override
    public String name()
    {
        return "tap:" + device.name();
    }

    @Override
    public int offloads()
    {
        return device.offload() ? PortOffloads.ALL : PortOffloads.NONE;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public String roleName()
    {
        return "tap-" + device.name();
    }

    @Override
    public int doWork()
    {
        int frames = 0;
        final long address = readBuffer.addressOffset();
        for (; frames < READ_BATCH; frames++)
        {
            final long n = device.read(address, READ_CAPACITY);
            if (n == 0)
            {
                break;
            }
            if (n < 0)
            {
                counters.add(PortCounters.RX_ERRORS, 1);
                break;
            }
            deliver((int)n);
        }
        return frames;
    }

    private void deliver(final int n)
    {
        final int length = n - LENGTH;
        if (length < HeaderParser.ETHERNET_HEADER_LENGTH)
        {
            counters.rxDropped(PortDropReason.RUNT);
            return;
        }
        final int flags = frameFlags(readBuffer.getByte(FLAGS_OFFSET) & 0xFF);
        final int virtioGso = readBuffer.getByte(GSO_TYPE_OFFSET) & 0xFF;
        int gsoSize = 0;
        int gsoType = 0;
        if (virtioGso != GSO_NONE)
        {
            gsoType = xenGsoType(virtioGso);
            gsoSize = readBuffer.getShort(GSO_SIZE_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            if (gsoType < 0 || gsoSize == 0)
            {
                counters.rxDropped(PortDropReason.MALFORMED);
                return;
            }
        }
        counters.add(PortCounters.RX_FRAMES, 1);
        counters.add(PortCounters.RX_BYTES, length);
        final FrameMetadata frame = received.set(flags, gsoSize, gsoType);
        if ((flags & FrameFlags.CSUM_PARTIAL) != 0)
        {
            // virtio-net's csum_start counts from the frame's first byte, as FrameMetadata's does
            frame.checksum(readBuffer.getShort(CSUM_START_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF,
                readBuffer.getShort(CSUM_OFFSET_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        }
        if (ingress.onFrame(readBuffer, LENGTH, length, frame) != 0)
        {
            counters.add(PortCounters.RX_REFUSED, 1);
        }
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        final int reason = send(buffer, offset, length, metadata.flags(), metadata.gsoSize(), metadata.gsoType());
        if (reason == 0)
        {
            counters.txSent(length);
        }
        else
        {
            counters.txDropped(reason);
        }
        return reason;
    }

    private int send(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        if (length < HeaderParser.ETHERNET_HEADER_LENGTH || length > READ_CAPACITY - LENGTH || offset < 0 ||
            offset + length > buffer.capacity())
        {
            return PortDropReason.RUNT;
        }
        int virtioFlags = 0;
        int virtioGso = GSO_NONE;
        int hdrLen = 0;
        int csumStart = 0;
        int csumOffset = 0;
        if ((flags & FrameFlags.CSUM_PARTIAL) != 0 || gsoSize != 0)
        {
            if (!device.offload())
            {
                return PortDropReason.OFFLOAD_UNSUPPORTED;
            }
            // GSO needs the pseudo-header-only sum the kernel completes per segment
            if ((flags & FrameFlags.CSUM_PARTIAL) == 0 ||
                HeaderParser.parse(buffer, offset, length, headers) != ParseStatus.OK)
            {
                return PortDropReason.MALFORMED;
            }
            final int checksumField = ChecksumOffload.l4ChecksumFieldOffset(headers);
            if (checksumField < 0)
            {
                return PortDropReason.MALFORMED;
            }
            virtioFlags = F_NEEDS_CSUM;
            csumStart = headers.l4Offset() - offset;
            csumOffset = checksumField - headers.l4Offset();
            hdrLen = csumStart + headers.l4HeaderLength();
            if (gsoSize != 0)
            {
                virtioGso = virtioGsoType(gsoType);
                if (virtioGso < 0 || gsoSize > 65535)
                {
                    return PortDropReason.MALFORMED;
                }
            }
        }
        else if ((flags & FrameFlags.DATA_VALIDATED) != 0)
        {
            virtioFlags = F_DATA_VALID;
        }
        write(writeHeader, 0, virtioFlags, virtioGso, hdrLen, virtioGso == GSO_NONE ? 0 : gsoSize, csumStart,
            csumOffset);

        long address = buffer.addressOffset() + offset;
        if (buffer.byteArray() != null || buffer.byteBuffer() != null && !buffer.byteBuffer().isDirect())
        {
            staging.putBytes(0, buffer, offset, length);
            address = staging.addressOffset();
        }
        iovec.putLong(16, address);
        iovec.putLong(24, length);
        final long written = device.writev(iovec.addressOffset(), 2);
        return written == LENGTH + length ? 0 : PortDropReason.WRITE_FAILED;
    }

    @Override
    public void onClose()
    {
        device.close();
    }
}
