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
    /** Page size; the header, shared page, window table and each window start on a page boundary. */
    public static final int PAGE_SIZE = 4096;
    /** "PVNETPCI" read as a little-endian u64. */
    public static final long MAGIC = 0x494350_54454E5650L;
    /** The layout version this code reads and writes; a reader refuses any other. */
    public static final int LAYOUT_VERSION = 1;

    /** Offset of the magic (u64). */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the layout version (i32): 0 until the section is ready, then stored with release semantics. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the guest's domain id (i32). */
    public static final int DOMAIN_ID_OFFSET = 12;
    /** Offset of the window table's capacity in entries (i32). */
    public static final int WINDOW_CAPACITY_OFFSET = 16;
    /** Offset of the bytes reserved for window data (i32). */
    public static final int WINDOW_DATA_LENGTH_OFFSET = 20;
    /** Offset of the window data bytes handed out so far (i32). */
    public static final int WINDOW_DATA_USED_OFFSET = 24;

    /** Offset of the pcifront/pciback shared page ({@link PciSharedInfoDescriptor}). */
    public static final int SHARED_INFO_OFFSET = PAGE_SIZE;
    /** Offset of window table entry 0. */
    public static final int WINDOW_TABLE_OFFSET = 2 * PAGE_SIZE;

    /** Bytes per window table entry. */
    public static final int WINDOW_ENTRY_LENGTH = 32;
    /** Offset in an entry of its state (i32): {@link #WINDOW_FREE} or {@link #WINDOW_LIVE}. */
    public static final int WINDOW_STATE_OFFSET = 0;
    /** Offset in an entry of the device's virtual PCI domain (u16). */
    public static final int WINDOW_PCI_DOMAIN_OFFSET = 4;
    /** Offset in an entry of the device's virtual bus (u8). */
    public static final int WINDOW_BUS_OFFSET = 6;
    /** Offset in an entry of the device's virtual devfn (u8). */
    public static final int WINDOW_DEVFN_OFFSET = 7;
    /** Offset in an entry of the BAR index (i32, 6 = expansion ROM). */
    public static final int WINDOW_BAR_OFFSET = 8;
    /** Offset in an entry of the {@code FLAG_*} bits (i32). */
    public static final int WINDOW_FLAGS_OFFSET = 12;
    /** Offset in an entry of the window data's offset in the section (i64; 0 for an external window). */
    public static final int WINDOW_DATA_OFFSET = 16;
    /** Offset in an entry of the window's length in bytes (i64). */
    public static final int WINDOW_LENGTH_OFFSET = 24;

    /** Window state: the entry is unused. */
    public static final int WINDOW_FREE = 0;
    /** Window state: the entry is published (stored with release semantics). */
    public static final int WINDOW_LIVE = 1;

    /** Window flag: an I/O BAR. */
    public static final int FLAG_IO = 1;
    /** Window flag: a 64-bit memory BAR. */
    public static final int FLAG_MEM64 = 1 << 1;
    /** Window flag: prefetchable memory. */
    public static final int FLAG_PREFETCH = 1 << 2;
    /** Window flag: the expansion ROM. */
    public static final int FLAG_ROM = 1 << 3;
    /** Window flag: a real device's sysfs resource mapped by the backend process, not data in this section. */
    public static final int FLAG_EXTERNAL = 1 << 4;
    /** Window flag: the guest may only read it. */
    public static final int FLAG_READ_ONLY = 1 << 5;

    private PciSectionDescriptor()
    {
    }

    /**
     * Bytes of window table for {@code capacity} windows, whole pages.
     * @param capacity windows in the table.
     * @return the length in bytes.
     */
    public static int windowTableLength(final int capacity)
    {
        return align(capacity * WINDOW_ENTRY_LENGTH, PAGE_SIZE);
    }

    /**
     * Offset of the first window's data.
     * @param capacity windows in the table.
     * @return the offset from the section start.
     */
    public static int windowDataStart(final int capacity)
    {
        return WINDOW_TABLE_OFFSET + windowTableLength(capacity);
    }

    /**
     * {@return offset of window table entry {@code index} from the section start}
     * @param index the entry's index.
     */
    public static int windowEntryOffset(final int index)
    {
        return WINDOW_TABLE_OFFSET + index * WINDOW_ENTRY_LENGTH;
    }

    /**
     * Section length for {@code capacity} windows and {@code windowDataBytes} of BAR memory.
     * @param capacity windows in the table.
     * @param windowDataBytes bytes of BAR memory.
     * @return the length in bytes.
     */
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
     * @param buffer the section.
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
