package io.pvnet.checksum.pcap;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Writes a pcapng file (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html), little-endian: one Section
 * Header Block, one Interface Description Block per captured port (name, snap length, nanosecond timestamps) and an
 * Enhanced Packet Block per frame carrying the frame's direction in its {@code epb_flags} option, so tshark shows
 * {@code frame.interface_name} and {@code frame.p2p_dir}-style inbound/outbound per packet.
 * <pre>
 *   Enhanced Packet Block (every field 32-bit little-endian unless noted):
 *   +---------------------------------------------------------------+
 *   |                  block type = 6                               |
 *   |                  block total length                           |
 *   |                  interface id (IDB index in this file)        |
 *   |                  timestamp, upper 32 bits (ns since epoch)    |
 *   |                  timestamp, lower 32 bits                     |
 *   |                  captured length (after snap length)          |
 *   |                  original length                              |
 *   /                  frame bytes, padded to 32 bits               /
 *   |  option code 2 (epb_flags)    |  option length 4              |
 *   |                  flags: bits 0-1 = 1 inbound, 2 outbound      |
 *   |  option code 0 (end)          |  0                            |
 *   |                  block total length                           |
 *   +---------------------------------------------------------------+
 * </pre>
 * Records are staged in one direct buffer and written when it fills, on {@link #flush()} and {@link #close()};
 * {@link #write} allocates nothing. Not thread-safe: one writer per thread.
 */
public final class PcapngWriter implements AutoCloseable
{
    /** Direction of a frame, relative to the interface (the port), as in the {@code epb_flags} option. */
    public static final int DIRECTION_UNKNOWN = 0;
    /** The frame entered the port (received by it). */
    public static final int DIRECTION_INBOUND = 1;
    /** The frame left through the port (sent by it). */
    public static final int DIRECTION_OUTBOUND = 2;
    /** Largest snap length accepted (as libpcap's MAXIMUM_SNAPLEN). */
    public static final int MAX_SNAP_LENGTH = 262_144;

    private static final int BLOCK_SHB = 0x0A0D0D0A;
    private static final int BLOCK_IDB = 1;
    private static final int BLOCK_EPB = 6;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int OPTION_END = 0;
    private static final int OPTION_SHB_USERAPPL = 4;
    private static final int OPTION_IF_NAME = 2;
    private static final int OPTION_IF_TSRESOL = 9;
    private static final int OPTION_EPB_FLAGS = 2;
    /** EPB without the frame: 28 bytes of header, 12 of options, 4 of trailing length. */
    static final int EPB_OVERHEAD = 28 + 12 + 4;
    private static final int STAGING_BYTES = 1 << 20;
    private static final int MAX_INTERFACES = 1024;

    private final WritableByteChannel channel;
    private final ByteBuffer staging;
    private final UnsafeBuffer view;
    private final int[] snapLengths = new int[MAX_INTERFACES];
    private int interfaces;
    private long recordCount;
    private long bytesWritten;

    /**
     * Writes the section header.
     *
     * @param channel     where the file goes; closed by {@link #close()}.
     * @param application the name written as {@code shb_userappl}, for example {@code pvnet 0.1.0}.
     * @throws IOException when the header cannot be written.
     */
    public PcapngWriter(final WritableByteChannel channel, final String application) throws IOException
    {
        this.channel = channel;
        staging = ByteBuffer.allocateDirect(STAGING_BYTES + EPB_OVERHEAD + MAX_SNAP_LENGTH + 3).order(ByteOrder.LITTLE_ENDIAN);
        view = new UnsafeBuffer(staging);
        final byte[] appl = application.getBytes(StandardCharsets.UTF_8);
        final int length = 24 + option(appl.length) + 4 + 4;
        int at = 0;
        at = putInt(at, BLOCK_SHB);
        at = putInt(at, length);
        at = putInt(at, BYTE_ORDER_MAGIC);
        view.putShort(at, (short)1, ByteOrder.LITTLE_ENDIAN);
        view.putShort(at + 2, (short)0, ByteOrder.LITTLE_ENDIAN);
        at += 4;
        view.putLong(at, -1L, ByteOrder.LITTLE_ENDIAN); // section length not known
        at += 8;
        at = putOption(at, OPTION_SHB_USERAPPL, appl);
        at = putInt(at, OPTION_END);
        at = putInt(at, length);
        staging.position(at);
        bytesWritten += at;
    }

    /**
     * Declares a captured port; frames of it are written with the returned id. Declare an interface before its first
     * frame (pcapng allows interface blocks between other interfaces' frames).
     *
     * @param name       the port's name, shown by tshark as {@code frame.interface_name}.
     * @param linkType   the LINKTYPE_ value ({@link PcapWriter#LINKTYPE_ETHERNET}).
     * @param snapLength frames are cut to this many bytes, 1 to {@value #MAX_SNAP_LENGTH}.
     * @return the interface id.
     * @throws IOException when the interface block cannot be written.
     */
    public int addInterface(final String name, final int linkType, final int snapLength) throws IOException
    {
        if (snapLength < 1 || snapLength > MAX_SNAP_LENGTH)
        {
            throw new IllegalArgumentException("snaplen=" + snapLength + " must be in 1.." + MAX_SNAP_LENGTH);
        }
        if (interfaces == MAX_INTERFACES)
        {
            throw new IllegalStateException("at most " + MAX_INTERFACES + " interfaces per file");
        }
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        final int length = 16 + option(nameBytes.length) + option(1) + 4 + 4;
        if (staging.position() + length > staging.capacity())
        {
            flush();
        }
        int at = staging.position();
        final int start = at;
        at = putInt(at, BLOCK_IDB);
        at = putInt(at, length);
        view.putShort(at, (short)linkType, ByteOrder.LITTLE_ENDIAN);
        view.putShort(at + 2, (short)0, ByteOrder.LITTLE_ENDIAN);
        at += 4;
        at = putInt(at, snapLength);
        at = putOption(at, OPTION_IF_NAME, nameBytes);
        at = putOption(at, OPTION_IF_TSRESOL, new byte[] {9}); // 10^-9: nanoseconds
        at = putInt(at, OPTION_END);
        at = putInt(at, length);
        staging.position(at);
        bytesWritten += at - start;
        snapLengths[interfaces] = snapLength;
        return interfaces++;
    }

    /**
     * Appends one frame.
     *
     * @param interfaceId    from {@link #addInterface}.
     * @param direction      {@link #DIRECTION_INBOUND}, {@link #DIRECTION_OUTBOUND} or {@link #DIRECTION_UNKNOWN}.
     * @param buffer         the frame.
     * @param offset         its first byte.
     * @param length         its length on the wire (written up to the interface's snap length).
     * @param timestampNanos nanoseconds since the Unix epoch.
     * @throws IOException when a full staging buffer cannot be written.
     */
    public void write(
        final int interfaceId, final int direction, final DirectBuffer buffer, final int offset, final int length,
        final long timestampNanos) throws IOException
    {
        final int captured = Math.min(length, snapLengths[interfaceId]);
        final int padded = (captured + 3) & ~3;
        final int blockLength = EPB_OVERHEAD + padded;
        if (staging.position() + blockLength > staging.capacity())
        {
            flush();
        }
        final int at = staging.position();
        view.putInt(at, BLOCK_EPB, ByteOrder.LITTLE_ENDIAN);
        view.putInt(at + 4, blockLength, ByteOrder.LITTLE_ENDIAN);
        view.putInt(at + 8, interfaceId, ByteOrder.LITTLE_ENDIAN);
        view.putInt(at + 12, (int)(timestampNanos >>> 32), ByteOrder.LITTLE_ENDIAN);
        view.putInt(at + 16, (int)timestampNanos, ByteOrder.LITTLE_ENDIAN);
        view.putInt(at + 20, captured, ByteOrder.LITTLE_ENDIAN);
        view.putInt(at + 24, length, ByteOrder.LITTLE_ENDIAN);
        view.putBytes(at + 28, buffer, offset, captured);
        view.setMemory(at + 28 + captured, padded - captured, (byte)0);
        final int options = at + 28 + padded;
        view.putShort(options, (short)OPTION_EPB_FLAGS, ByteOrder.LITTLE_ENDIAN);
        view.putShort(options + 2, (short)4, ByteOrder.LITTLE_ENDIAN);
        view.putInt(options + 4, direction & 3, ByteOrder.LITTLE_ENDIAN);
        view.putInt(options + 8, OPTION_END, ByteOrder.LITTLE_ENDIAN);
        view.putInt(options + 12, blockLength, ByteOrder.LITTLE_ENDIAN);
        staging.position(at + blockLength);
        bytesWritten += blockLength;
        recordCount++;
    }

    /** {@return frames written so far} */
    public long recordCount()
    {
        return recordCount;
    }

    /** {@return bytes of the file so far, staged or written (the size the file has after {@link #flush()})} */
    public long bytesWritten()
    {
        return bytesWritten;
    }

    /** {@return interfaces declared} */
    public int interfaceCount()
    {
        return interfaces;
    }

    /**
     * Writes every staged byte to the channel.
     * @throws IOException when the channel fails.
     */
    public void flush() throws IOException
    {
        staging.flip();
        while (staging.hasRemaining())
        {
            channel.write(staging);
        }
        staging.clear();
    }

    /** Flushes and closes the channel. */
    @Override
    public void close() throws IOException
    {
        try
        {
            flush();
        }
        finally
        {
            channel.close();
        }
    }

    private static int option(final int valueLength)
    {
        return 4 + ((valueLength + 3) & ~3);
    }

    private int putInt(final int at, final int value)
    {
        view.putInt(at, value, ByteOrder.LITTLE_ENDIAN);
        return at + 4;
    }

    private int putOption(final int at, final int code, final byte[] value)
    {
        view.putShort(at, (short)code, ByteOrder.LITTLE_ENDIAN);
        view.putShort(at + 2, (short)value.length, ByteOrder.LITTLE_ENDIAN);
        view.putBytes(at + 4, value);
        final int padded = (value.length + 3) & ~3;
        view.setMemory(at + 4 + value.length, padded - value.length, (byte)0);
        return at + 4 + padded;
    }
}
