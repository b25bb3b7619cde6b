package io.pvnet.checksum.pcap;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a classic libpcap file (https://www.tcpdump.org/manpages/pcap-savefile.5.txt), little-endian, with
 * nanosecond ({@code 0xa1b23c4d}) or microsecond ({@code 0xa1b2c3d4}) timestamps. Records are staged in one direct
 * buffer and written when it fills, on {@link #flush()} and on {@link #close()}; {@link #write} allocates nothing.
 * <p>
 * Layout (all fields little-endian):
 * <pre>
 *   global header, 24 bytes:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                 magic (a1b2c3d4 us / a1b23c4d ns)             |
 *   +-------------------------------+-------------------------------+
 *   |        version major 2        |        version minor 4        |
 *   +-------------------------------+-------------------------------+
 *   |                      thiszone (0)                             |
 *   |                      sigfigs (0)                              |
 *   |                      snaplen                                  |
 *   |                      link type (1 = Ethernet)                 |
 *   +---------------------------------------------------------------+
 *   record header, 16 bytes, then incl_len bytes of frame:
 *   |                      ts seconds                               |
 *   |                      ts micro- or nanoseconds                 |
 *   |                      incl_len (captured)                      |
 *   |                      orig_len (on the wire)                   |
 * </pre>
 * Not thread-safe: one writer per thread (a capture port owns its writer).
 */
public final class PcapWriter implements AutoCloseable
{
    /** Link type of Ethernet frames (LINKTYPE_ETHERNET). */
    public static final int LINKTYPE_ETHERNET = 1;
    /** Magic of a pcap with microsecond timestamps. */
    public static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    /** Magic of a pcap with nanosecond timestamps. */
    public static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    /** Bytes of the global header. */
    public static final int GLOBAL_HEADER_LENGTH = 24;
    /** Bytes of a record header, before each frame. */
    public static final int RECORD_HEADER_LENGTH = 16;

    private static final int STAGING_BYTES = 1 << 20;

    private final WritableByteChannel channel;
    private final ByteBuffer staging;
    private final UnsafeBuffer stagingView;
    private final int snapLength;
    private final boolean nanoseconds;
    private long recordCount;

    /**
     * Writes a pcap's global header to {@code channel}; frames follow with {@link #write}.
     * @param channel     where the file goes; closed by {@link #close()}.
     * @param linkType    the LINKTYPE_ value, usually {@link #LINKTYPE_ETHERNET}.
     * @param snapLength  frames are cut to this many bytes, {@code 1..262144}.
     * @param nanoseconds nanosecond timestamps when true, microseconds otherwise.
     * @throws IOException when the global header cannot be written.
     */
    public PcapWriter(
        final WritableByteChannel channel, final int linkType, final int snapLength, final boolean nanoseconds)
        throws IOException
    {
        if (snapLength < 1 || snapLength > 262144)
        {
            throw new IllegalArgumentException("snapLength=" + snapLength + " must be in 1..262144");
        }
        this.channel = channel;
        this.snapLength = snapLength;
        this.nanoseconds = nanoseconds;
        staging = ByteBuffer.allocateDirect(STAGING_BYTES + RECORD_HEADER_LENGTH + snapLength).order(ByteOrder.LITTLE_ENDIAN);
        stagingView = new UnsafeBuffer(staging);
        stagingView.putInt(0, nanoseconds ? MAGIC_NANOSECONDS : MAGIC_MICROSECONDS, ByteOrder.LITTLE_ENDIAN);
        stagingView.putShort(4, (short)2, ByteOrder.LITTLE_ENDIAN);
        stagingView.putShort(6, (short)4, ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(8, 0, ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(12, 0, ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(16, snapLength, ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(20, linkType, ByteOrder.LITTLE_ENDIAN);
        staging.position(GLOBAL_HEADER_LENGTH);
        flush();
    }

    /**
     * Creates (or truncates) {@code file} and writes an Ethernet, nanosecond-resolution pcap with snaplen 262144.
     * @param file the file to write.
     * @return the writer, owned by the caller (close it).
     * @throws IOException when the file cannot be created or the header written.
     */
    public static PcapWriter create(final Path file) throws IOException
    {
        return new PcapWriter(
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING),
            LINKTYPE_ETHERNET, 262144, true);
    }

    /**
     * Appends one record.
     *
     * @param buffer         the frame.
     * @param offset         its first byte.
     * @param length         its length on the wire (written up to the snap length).
     * @param timestampNanos nanoseconds since the Unix epoch.
     * @throws IOException when a full staging buffer cannot be written.
     */
    public void write(final DirectBuffer buffer, final int offset, final int length, final long timestampNanos)
        throws IOException
    {
        final int captured = Math.min(length, snapLength);
        if (staging.position() + RECORD_HEADER_LENGTH + captured > staging.capacity())
        {
            flush();
        }
        final int at = staging.position();
        final long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
        final long fraction = Math.floorMod(timestampNanos, 1_000_000_000L);
        stagingView.putInt(at, (int)seconds, ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(at + 4, (int)(nanoseconds ? fraction : fraction / 1000), ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(at + 8, captured, ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(at + 12, length, ByteOrder.LITTLE_ENDIAN);
        stagingView.putBytes(at + RECORD_HEADER_LENGTH, buffer, offset, captured);
        staging.position(at + RECORD_HEADER_LENGTH + captured);
        recordCount++;
    }

    /** {@return records written so far} */
    public long recordCount()
    {
        return recordCount;
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
}
