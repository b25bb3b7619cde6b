package io.pvnet.engine.port.pcap;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A minimal classic libpcap file writer (https://www.tcpdump.org/manpages/pcap-savefile.5.txt): little-endian,
 * nanosecond timestamps (magic {@code 0xa1b23c4d}), link type Ethernet, records staged in one direct buffer and written
 * when it fills, on {@link #flush()} and {@link #close()}; {@link #write} allocates nothing.
 * <pre>
 *   global header (24 bytes): magic, major 2, minor 4, thiszone 0, sigfigs 0, snaplen, linktype 1
 *   record header (16 bytes): ts_sec, ts_nsec, incl_len, orig_len; then incl_len bytes of frame
 * </pre>
 * The checksum module has the full reader/writer ({@code io.pvnet.checksum.pcap.PcapWriter}, same method shapes);
 * once it is on main this class should be replaced by it.
 * Not thread-safe: one writing thread.
 */
public final class PcapFileWriter implements AutoCloseable
{
    public static final int MAGIC_NANOSECONDS = 0xa1b23c4d;
    public static final int GLOBAL_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int SNAP_LENGTH = 262144;

    private static final int STAGING_BYTES = 1 << 20;

    private final FileChannel channel;
    private final ByteBuffer staging =
        ByteBuffer.allocateDirect(STAGING_BYTES + RECORD_HEADER_LENGTH + SNAP_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer view = new UnsafeBuffer(staging);
    private long records;

    private PcapFileWriter(final FileChannel channel) throws IOException
    {
        this.channel = channel;
        view.putInt(0, MAGIC_NANOSECONDS, ByteOrder.LITTLE_ENDIAN);
        view.putShort(4, (short)2, ByteOrder.LITTLE_ENDIAN);
        view.putShort(6, (short)4, ByteOrder.LITTLE_ENDIAN);
        view.putInt(8, 0, ByteOrder.LITTLE_ENDIAN);
        view.putInt(12, 0, ByteOrder.LITTLE_ENDIAN);
        view.putInt(16, SNAP_LENGTH, ByteOrder.LITTLE_ENDIAN);
        view.putInt(20, LINKTYPE_ETHERNET, ByteOrder.LITTLE_ENDIAN);
        staging.position(GLOBAL_HEADER_LENGTH);
        flush();
    }

    /** Creates (or truncates) {@code file} and writes the global header. */
    public static PcapFileWriter create(final Path file) throws IOException
    {
        final FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        try
        {
            return new PcapFileWriter(channel);
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /** Appends one record of a frame of {@code length} bytes taken at {@code timestampNanos} (Unix epoch). */
    public void write(final DirectBuffer buffer, final int offset, final int length, final long timestampNanos)
        throws IOException
    {
        final int captured = Math.min(length, SNAP_LENGTH);
        if (staging.position() + RECORD_HEADER_LENGTH + captured > staging.capacity())
        {
            flush();
        }
        final int at = staging.position();
        view.putInt(at, (int)Math.floorDiv(timestampNanos, 1_000_000_000L), ByteOrder.LITTLE_ENDIAN);
        view.putInt(at + 4, (int)Math.floorMod(timestampNanos, 1_000_000_000L), ByteOrder.LITTLE_ENDIAN);
        view.putInt(at + 8, captured, ByteOrder.LITTLE_ENDIAN);
        view.putInt(at + 12, length, ByteOrder.LITTLE_ENDIAN);
        view.putBytes(at + RECORD_HEADER_LENGTH, buffer, offset, captured);
        staging.position(at + RECORD_HEADER_LENGTH + captured);
        records++;
    }

    /** @return records written so far. */
    public long records()
    {
        return records;
    }

    /** Writes staged records to the file. */
    public void flush() throws IOException
    {
        staging.flip();
        while (staging.hasRemaining())
        {
            channel.write(staging);
        }
        staging.clear();
    }

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
