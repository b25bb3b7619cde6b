package io.pvnet.engine.store;

import org.agrona.DirectBuffer;

/**
 * Layout of the XenStore-like key/value area: a header followed by a fixed number of fixed-size entries.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         magic "PVXS"                          |  0
 *  +---------------------------------------------------------------+
 *  |                           version                             |  4
 *  +---------------------------------------------------------------+
 *  |                         entry count                           |  8
 *  +---------------------------------------------------------------+
 *  |                  change counter (bumped per write)            |  12
 *  +---------------------------------------------------------------+
 *  |                      (pad to 64 bytes)                        |  16..63
 *  +---------------------------------------------------------------+
 *  |                     entry 0 (128 bytes)                       |  64
 *  |                          ...                                  |
 *  +---------------------------------------------------------------+
 *
 *  entry:
 *  +---------------------------------------------------------------+
 *  |      sequence (seqlock: odd while written, even when stable)  |  0
 *  +---------------+---------------+-------------------------------+
 *  |  key length   | value length  |            (pad)              |  4
 *  +---------------+---------------+-------------------------------+
 *  |                 key, US-ASCII, up to 56 bytes                 |  8..63
 *  +---------------------------------------------------------------+
 *  |                value, US-ASCII, up to 64 bytes                |  64..127
 *  +---------------------------------------------------------------+
 * </pre>
 * An entry with key length 0 is free. Lengths, characters and the sequence are validated by every reader: the area is
 * shared with a peer that may be hostile.
 */
public final class StoreDescriptor
{
    /** "PVXS" little-endian. */
    public static final int MAGIC = 0x53585650;
    /** Layout version. */
    public static final int VERSION = 1;
    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version. */
    public static final int VERSION_OFFSET = 4;
    /** Offset of the entry count. */
    public static final int ENTRY_COUNT_OFFSET = 8;
    /** Offset of the change counter, bumped after every write (watchers poll it). */
    public static final int CHANGE_COUNTER_OFFSET = 12;
    /** Length of the header. */
    public static final int HEADER_LENGTH = 64;

    /** Offset of an entry's seqlock sequence. */
    public static final int ENTRY_SEQUENCE_OFFSET = 0;
    /** Offset of an entry's key length byte. */
    public static final int ENTRY_KEY_LENGTH_OFFSET = 4;
    /** Offset of an entry's value length byte. */
    public static final int ENTRY_VALUE_LENGTH_OFFSET = 5;
    /** Offset of an entry's key. */
    public static final int ENTRY_KEY_OFFSET = 8;
    /** Longest key. */
    public static final int MAX_KEY_LENGTH = 56;
    /** Offset of an entry's value. */
    public static final int ENTRY_VALUE_OFFSET = 64;
    /** Longest value. */
    public static final int MAX_VALUE_LENGTH = 64;
    /** Length of an entry. */
    public static final int ENTRY_LENGTH = 128;

    private StoreDescriptor()
    {
    }

    /** @return the bytes an area of {@code entryCount} entries needs. */
    public static int length(final int entryCount)
    {
        return HEADER_LENGTH + entryCount * ENTRY_LENGTH;
    }

    /** @return the offset of entry {@code index}. */
    public static int entryOffset(final int index)
    {
        return HEADER_LENGTH + index * ENTRY_LENGTH;
    }

    /** @throws IllegalArgumentException if the buffer cannot hold {@code entryCount} entries. */
    public static void checkCapacity(final DirectBuffer buffer, final int entryCount)
    {
        if (entryCount < 1 || buffer.capacity() < length(entryCount))
        {
            throw new IllegalArgumentException(
                "store area too small: capacity=" + buffer.capacity() + " entryCount=" + entryCount);
        }
    }
}
