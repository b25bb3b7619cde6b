package io.pvnet.checksum.pcap;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads libpcap files (either byte order, microsecond or nanosecond magic) and pcapng files (section header,
 * interface description with {@code if_tsresol}, enhanced and simple packet blocks, other blocks skipped; several
 * sections and interfaces, either byte order), from a read-only memory map. Each {@link #next()} exposes the next
 * record in place through {@link #buffer()}, {@link #frameOffset()} and {@link #capturedLength()}: no copy, no
 * allocation.
 * <p>
 * A damaged file (bad magic, a record or block running past the end, block lengths that disagree) raises an
 * {@link IOException} naming the file and byte offset. Files of 2 GiB or more are refused. Not thread-safe.
 */
public final class PcapReader implements AutoCloseable
{
    private static final int PCAPNG_SECTION_HEADER = 0x0A0D0D0A;
    private static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int PCAPNG_INTERFACE = 1;
    private static final int PCAPNG_SIMPLE_PACKET = 3;
    private static final int PCAPNG_ENHANCED_PACKET = 6;
    private static final int MAX_INTERFACES = 256;

    private final Path file;
    private final FileChannel channel;
    private final UnsafeBuffer buffer;
    private final int end;
    private final boolean pcapng;
    private ByteOrder order;
    private int position;
    private boolean nanoseconds;
    private int fileLinkType;
    private final int[] interfaceLinkTypes = new int[MAX_INTERFACES];
    private final long[] interfaceUnitsPerSecond = new long[MAX_INTERFACES];
    private final boolean[] interfaceUnitsPowerOfTwo = new boolean[MAX_INTERFACES];
    private int interfaceCount;

    private int frameOffset;
    private int capturedLength;
    private int originalLength;
    private long timestampNanos;
    private int linkType;

    /**
     * Opens and maps {@code file}, reading its global header or first section header.
     *
     * @param file the capture (pcap, either byte order and timestamp resolution, or pcapng).
     * @throws IOException when it cannot be read or is not a pcap/pcapng file.
     */
    public PcapReader(final Path file) throws IOException
    {
        this.file = file;
        channel = FileChannel.open(file, StandardOpenOption.READ);
        try
        {
            final long size = channel.size();
            if (size >= Integer.MAX_VALUE)
            {
                throw new IOException(file + ": " + size + " bytes; files of 2 GiB or more are not supported");
            }
            final MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            buffer = new UnsafeBuffer(map);
            end = (int)size;
            if (end < 4)
            {
                throw damaged(0, "shorter than any pcap header");
            }
            final int magicLe = buffer.getInt(0, ByteOrder.LITTLE_ENDIAN);
            if (magicLe == PCAPNG_SECTION_HEADER)
            {
                pcapng = true;
                order = ByteOrder.LITTLE_ENDIAN;
                position = 0;
            }
            else
            {
                pcapng = false;
                readGlobalHeader(magicLe);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    private void readGlobalHeader(final int magicLe) throws IOException
    {
        if (end < PcapWriter.GLOBAL_HEADER_LENGTH)
        {
            throw damaged(0, "truncated global header");
        }
        if (magicLe == PcapWriter.MAGIC_MICROSECONDS || magicLe == PcapWriter.MAGIC_NANOSECONDS)
        {
            order = ByteOrder.LITTLE_ENDIAN;
        }
        else
        {
            order = ByteOrder.BIG_ENDIAN;
        }
        final int magic = buffer.getInt(0, order);
        if (magic != PcapWriter.MAGIC_MICROSECONDS && magic != PcapWriter.MAGIC_NANOSECONDS)
        {
            throw damaged(0, String.format("magic 0x%08x is neither pcap nor pcapng", magicLe));
        }
        nanoseconds = magic == PcapWriter.MAGIC_NANOSECONDS;
        fileLinkType = buffer.getInt(20, order) & 0x0FFF_FFFF;
        position = PcapWriter.GLOBAL_HEADER_LENGTH;
    }

    /** {@return true when this is a pcapng file} */
    public boolean isPcapng()
    {
        return pcapng;
    }

    /**
     * Advances to the next packet record.
     *
     * @return false at the end of the file.
     * @throws IOException when the file is damaged.
     */
    public boolean next() throws IOException
    {
        return pcapng ? nextBlock() : nextRecord();
    }

    private boolean nextRecord() throws IOException
    {
        if (position == end)
        {
            return false;
        }
        if (position + PcapWriter.RECORD_HEADER_LENGTH > end)
        {
            throw damaged(position, "truncated record header");
        }
        final long seconds = buffer.getInt(position, order) & 0xFFFF_FFFFL;
        final long fraction = buffer.getInt(position + 4, order) & 0xFFFF_FFFFL;
        final int captured = buffer.getInt(position + 8, order);
        final int original = buffer.getInt(position + 12, order);
        if (captured < 0 || position + PcapWriter.RECORD_HEADER_LENGTH + (long)captured > end)
        {
            throw damaged(position, "record of " + (captured & 0xFFFF_FFFFL) + " bytes runs past the end");
        }
        timestampNanos = seconds * 1_000_000_000L + (nanoseconds ? fraction : fraction * 1000);
        frameOffset = position + PcapWriter.RECORD_HEADER_LENGTH;
        capturedLength = captured;
        originalLength = original;
        linkType = fileLinkType;
        position = frameOffset + captured;
        return true;
    }

    private boolean nextBlock() throws IOException
    {
        while (position < end)
        {
            final int blockStart = position;
            if (blockStart + 12 > end)
            {
                throw damaged(blockStart, "truncated block header");
            }
            int type = buffer.getInt(blockStart, order);
            if (type == PCAPNG_SECTION_HEADER)
            {
                final int magicLe = buffer.getInt(blockStart + 8, ByteOrder.LITTLE_ENDIAN);
                order = magicLe == PCAPNG_BYTE_ORDER_MAGIC ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
                if (buffer.getInt(blockStart + 8, order) != PCAPNG_BYTE_ORDER_MAGIC)
                {
                    throw damaged(blockStart, "section header without the byte-order magic");
                }
                interfaceCount = 0;
                type = PCAPNG_SECTION_HEADER;
            }
            final int blockLength = buffer.getInt(blockStart + 4, order);
            if (blockLength < 12 || (blockLength & 3) != 0 || blockStart + (long)blockLength > end)
            {
                throw damaged(blockStart, "block length " + blockLength + " is invalid or runs past the end");
            }
            if (buffer.getInt(blockStart + blockLength - 4, order) != blockLength)
            {
                throw damaged(blockStart, "trailing block length disagrees with " + blockLength);
            }
            position = blockStart + blockLength;
            final int bodyEnd = blockStart + blockLength - 4;
            switch (type)
            {
                case PCAPNG_INTERFACE:
                    readInterface(blockStart, bodyEnd);
                    break;
                case PCAPNG_ENHANCED_PACKET:
                    readEnhancedPacket(blockStart, bodyEnd);
                    return true;
                case PCAPNG_SIMPLE_PACKET:
                    readSimplePacket(blockStart, bodyEnd);
                    return true;
                default:
                    break; // section header, statistics, name resolution, custom blocks: nothing to take
            }
        }
        return false;
    }

    private void readInterface(final int blockStart, final int bodyEnd) throws IOException
    {
        if (blockStart + 16 > bodyEnd)
        {
            throw damaged(blockStart, "truncated interface description block");
        }
        if (interfaceCount == MAX_INTERFACES)
        {
            throw damaged(blockStart, "more than " + MAX_INTERFACES + " interfaces in one section");
        }
        final int index = interfaceCount++;
        interfaceLinkTypes[index] = buffer.getShort(blockStart + 8, order) & 0xFFFF;
        interfaceUnitsPerSecond[index] = 1_000_000L;
        interfaceUnitsPowerOfTwo[index] = false;
        int option = blockStart + 16;
        while (option + 4 <= bodyEnd)
        {
            final int code = buffer.getShort(option, order) & 0xFFFF;
            final int length = buffer.getShort(option + 2, order) & 0xFFFF;
            if (code == 0 || option + 4 + length > bodyEnd)
            {
                break;
            }
            if (code == 9 && length >= 1)
            {
                final int resolution = buffer.getByte(option + 4) & 0xFF;
                final int exponent = resolution & 0x7F;
                interfaceUnitsPowerOfTwo[index] = (resolution & 0x80) != 0;
                if (interfaceUnitsPowerOfTwo[index])
                {
                    interfaceUnitsPerSecond[index] = exponent >= 62 ? Long.MAX_VALUE : 1L << exponent;
                }
                else
                {
                    long units = 1;
                    for (int i = 0; i < exponent && units <= Long.MAX_VALUE / 10; i++)
                    {
                        units *= 10;
                    }
                    interfaceUnitsPerSecond[index] = units;
                }
            }
            option += 4 + ((length + 3) & ~3);
        }
    }

    private void readEnhancedPacket(final int blockStart, final int bodyEnd) throws IOException
    {
        if (blockStart + 28 > bodyEnd)
        {
            throw damaged(blockStart, "truncated enhanced packet block");
        }
        final int interfaceId = buffer.getInt(blockStart + 8, order);
        if (interfaceId < 0 || interfaceId >= interfaceCount)
        {
            throw damaged(blockStart, "packet of undeclared interface " + interfaceId);
        }
        final long units = ((buffer.getInt(blockStart + 12, order) & 0xFFFF_FFFFL) << 32) |
            (buffer.getInt(blockStart + 16, order) & 0xFFFF_FFFFL);
        final int captured = buffer.getInt(blockStart + 20, order);
        if (captured < 0 || blockStart + 28 + (long)captured > bodyEnd)
        {
            throw damaged(blockStart, "packet of " + captured + " bytes runs past its block");
        }
        final long perSecond = interfaceUnitsPerSecond[interfaceId];
        timestampNanos = (units / perSecond) * 1_000_000_000L +
            (long)((units % perSecond) * (1e9 / perSecond));
        frameOffset = blockStart + 28;
        capturedLength = captured;
        originalLength = buffer.getInt(blockStart + 24, order);
        linkType = interfaceLinkTypes[interfaceId];
    }

    private void readSimplePacket(final int blockStart, final int bodyEnd) throws IOException
    {
        if (interfaceCount == 0)
        {
            throw damaged(blockStart, "simple packet block before any interface");
        }
        final int original = buffer.getInt(blockStart + 8, order);
        frameOffset = blockStart + 12;
        capturedLength = (int)Math.min(original & 0xFFFF_FFFFL, bodyEnd - frameOffset);
        originalLength = original;
        timestampNanos = 0;
        linkType = interfaceLinkTypes[0];
    }

    /** {@return the mapped file; the current frame is at {@link #frameOffset()}. Valid until {@link #close()}} */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** {@return index of the current frame in {@link #buffer()}} */
    public int frameOffset()
    {
        return frameOffset;
    }

    /** {@return bytes of the current frame in the file} */
    public int capturedLength()
    {
        return capturedLength;
    }

    /** {@return length of the current frame on the wire} */
    public int originalLength()
    {
        return originalLength;
    }

    /** {@return the current frame's timestamp in nanoseconds since the Unix epoch (0 for a pcapng simple packet)} */
    public long timestampNanos()
    {
        return timestampNanos;
    }

    /** {@return the LINKTYPE_ of the current frame (1 = Ethernet)} */
    public int linkType()
    {
        return linkType;
    }

    private IOException damaged(final int offset, final String what)
    {
        return new IOException(file + ": damaged at byte " + offset + ": " + what);
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
