package io.pvnet.pci.channel;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.ByteOrder;

/**
 * Layout of one guest's pci section in the region (named {@code pci-<domid>}): a header page, the pcifront/pciback
 * shared page, a page of BAR window descriptors, then the windows themselves, each page aligned. All fields
 * little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+     0  header page
 *  |                      magic "PVNETPCI" (u64)                   |
 *  |                                                               |
 *  +---------------------------------------------------------------+     8
 *  |    layout version (i32): 0 until ready, stored with release   |
 *  +---------------------------------------------------------------+    12
 *  |                guest domain id (i32, the frontend)            |
 *  +---------------------------------------------------------------+    16
 *  |                  window capacity (i32, entries)               |
 *  +---------------------------------------------------------------+    20
 *  |                  window data length (i32, bytes)              |
 *  +---------------------------------------------------------------+    24
 *  |                      window data used (i32)                   |
 *  +---------------------------------------------------------------+    28
 *  |                          (reserved)                           |
 *  +---------------------------------------------------------------+  4096  shared page
 *  |     struct xen_pci_sharedinfo (572 B): PciSharedInfoDescriptor|
 *  |                              ...                              |
 *  +---------------------------------------------------------------+  8192  window table: capacity x 32 B
 *  | state (i32): 0 free, 1 live (release) | pci domain u16 bus u8 devfn u8 (virtual address) |
 *  | bar index (i32, 6 = ROM) | flags (i32: IO, MEM64, PREFETCH, ROM, EXTERNAL, READ_ONLY) |
 *  | data offset in section (i64) | length in bytes (i64)          |
 *  +---------------------------------------------------------------+  8192 + table pages
 *  |        window data: each emulated BAR's memory, page aligned  |
 *  |                              ...                              |
 *  +---------------------------------------------------------------+  section length
 * </pre>
 * A window with the EXTERNAL flag is a real device's sysfs {@code resourceN} mapped by the backend process; its data
 * offset is 0 and only its length is meaningful to other processes.
 */
public final class PciSectionDescriptor
{
    public static final int PAGE_SIZE = 4096;
    /** "PVNETPCI" read as a little-endian u64. */
    public static final long MAGIC = 0x494350_54454E5650L;
    public static final int LAYOUT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int DOMAIN_ID_OFFSET = 12;
    public static final int WINDOW_CAPACITY_OFFSET = 16;
    public static final int WINDOW_DATA_LENGTH_OFFSET = 20;
    public static final int WINDOW_DATA_USED_OFFSET = 24;

    public static final int SHARED_INFO_OFFSET = PAGE_SIZE;
    public static final int WINDOW_TABLE_OFFSET = 2 * PAGE_SIZE;

    public static final int WINDOW_ENTRY_LENGTH = 32;
    public static final int WINDOW_STATE_OFFSET = 0;
    public static final int WINDOW_PCI_DOMAIN_OFFSET = 4;
    public static final int WINDOW_BUS_OFFSET = 6;
    public static final int WINDOW_DEVFN_OFFSET = 7;
    public static final int WINDOW_BAR_OFFSET = 8;
    public static final int WINDOW_FLAGS_OFFSET = 12;
    public static final int WINDOW_DATA_OFFSET = 16;
    public static final int WINDOW_LENGTH_OFFSET = 24;

    public static final int WINDOW_FREE = 0;
    public static final int WINDOW_LIVE = 1;

    public static final int FLAG_IO = 1;
    public static final int FLAG_MEM64 = 1 << 1;
    public static final int FLAG_PREFETCH = 1 << 2;
    public static final int FLAG_ROM = 1 << 3;
    public static final int FLAG_EXTERNAL = 1 << 4;
    public static final int FLAG_READ_ONLY = 1 << 5;

    private PciSectionDescriptor()
    {
    }

    /** Bytes of window table for {@code capacity} windows, whole pages. */
    public static int windowTableLength(final int capacity)
    {
        return align(capacity * WINDOW_ENTRY_LENGTH, PAGE_SIZE);
    }

    /** Offset of the first window's data. */
    public static int windowDataStart(final int capacity)
    {
        return WINDOW_TABLE_OFFSET + windowTableLength(capacity);
    }

    public static int windowEntryOffset(final int index)
    {
        return WINDOW_TABLE_OFFSET + index * WINDOW_ENTRY_LENGTH;
    }

    /** Section length for {@code capacity} windows and {@code windowDataBytes} of BAR memory. */
    public static int lengthBytes(final int capacity, final int windowDataBytes)
    {
        if (capacity < 1 || windowDataBytes < 0)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " windowDataBytes=" + windowDataBytes);
        }
        final long length = (long)windowDataStart(capacity) + align(windowDataBytes, PAGE_SIZE);
        if (length > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("pci section too large: lengthBytes=" + length);
        }
        return (int)length;
    }

    static int align(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * Validates a section another process formatted.
     *
     * @throws IllegalArgumentException naming the field that is wrong.
     */
    public static void checkSection(final AtomicBuffer buffer)
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new IllegalStateException("the pci section needs a little-endian host");
        }
        if (buffer.capacity() < WINDOW_TABLE_OFFSET + PAGE_SIZE)
        {
            throw new IllegalArgumentException("pci section too small: capacity=" + buffer.capacity());
        }
        if (buffer.getLong(MAGIC_OFFSET) != MAGIC)
        {
            throw new IllegalArgumentException("not a pci section: magic=0x" +
                Long.toHexString(buffer.getLong(MAGIC_OFFSET)));
        }
        final int version = buffer.getIntAcquire(VERSION_OFFSET);
        if (version != LAYOUT_VERSION)
        {
            throw new IllegalArgumentException("pci section layout version=" + version + ", expected " +
                LAYOUT_VERSION);
        }
        final int capacity = buffer.getInt(WINDOW_CAPACITY_OFFSET);
        final int dataLength = buffer.getInt(WINDOW_DATA_LENGTH_OFFSET);
        if (capacity < 1 || dataLength < 0 || lengthBytes(capacity, dataLength) > buffer.capacity())
        {
            throw new IllegalArgumentException("pci section header does not match its size: windowCapacity=" +
                capacity + " windowDataLength=" + dataLength + " capacity=" + buffer.capacity());
        }
    }
}
