package io.pvnet.pci.channel;

import io.pvnet.pci.PciAddress;
import org.agrona.concurrent.AtomicBuffer;

/**
 * One BAR of an exported device as a window of memory: region memory for an emulated device, or a real device's sysfs
 * {@code resourceN} mapped through FFM (only when the user named the device). Described in the pci section's window
 * table ({@link PciSectionDescriptor}).
 * <p>
 * The checked accessors {@link #getInt}/{@link #putInt} are the guest's MMIO path: bounds-checked, and writes into the
 * MSI-X table and PBA (which Xen write-protects, since MSI-X is programmed by the backend) are refused and counted.
 * {@link #buffer()} is the raw view for the device model. Accessors return status codes and never throw.
 * <p>
 * Threads: one guest thread uses the checked accessors; counters are plain fields read by that thread.
 */
public final class BarWindow
{
    /** The access went through. */
    public static final int OK = 0;
    /** Offset or length outside the window, or misaligned. */
    public static final int OUT_OF_BOUNDS = -1;
    /** A write into the MSI-X table or PBA, or into a read-only mapping. */
    public static final int WRITE_PROTECTED = -2;

    private final PciAddress virtualAddress;
    private final int barIndex;
    private final int flags;
    private final long lengthBytes;
    private final AtomicBuffer buffer;
    private final int tableEntry;
    private long tableStart = -1;
    private long tableEnd = -1;
    private long pbaStart = -1;
    private long pbaEnd = -1;
    private long refusedAccesses;

    BarWindow(final PciAddress virtualAddress, final int barIndex, final int flags, final long lengthBytes,
        final AtomicBuffer buffer, final int tableEntry)
    {
        this.virtualAddress = virtualAddress;
        this.barIndex = barIndex;
        this.flags = flags;
        this.lengthBytes = lengthBytes;
        this.buffer = buffer;
        this.tableEntry = tableEntry;
    }

    /** Protects {@code [start, end)} of the MSI-X table from guest writes. */
    void protectTable(final long start, final long end)
    {
        tableStart = start;
        tableEnd = end;
    }

    /** Protects {@code [start, end)} of the MSI-X PBA from guest writes. */
    void protectPba(final long start, final long end)
    {
        pbaStart = start;
        pbaEnd = end;
    }

    /** {@return the address of the device as the guest sees it} */
    public PciAddress virtualAddress()
    {
        return virtualAddress;
    }

    /** {@return the BAR's index: 0..5, or 6 for the expansion ROM} */
    public int barIndex()
    {
        return barIndex;
    }

    /**
     * {@link PciSectionDescriptor} FLAG_* bits.
     * @return the window's flags.
     */
    public int flags()
    {
        return flags;
    }

    /** {@return true for a real device's BAR mapped by the backend process (not in the region)} */
    public boolean isExternal()
    {
        return (flags & PciSectionDescriptor.FLAG_EXTERNAL) != 0;
    }

    /** {@return true when guest writes are refused (a real BAR mapped read-only, or the MSI-X table and PBA)} */
    public boolean isReadOnly()
    {
        return (flags & PciSectionDescriptor.FLAG_READ_ONLY) != 0;
    }

    /** {@return the window's length in bytes} */
    public long lengthBytes()
    {
        return lengthBytes;
    }

    /**
     * The raw window (the device model's view).
     * @return the whole window's memory.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    int tableEntry()
    {
        return tableEntry;
    }

    /**
     * Guest MMIO read of 4 bytes at {@code offset}: the value, or {@code fallback} when out of bounds (counted).
     * @param offset the byte offset in the window.
     * @param fallback what an out-of-bounds read returns (all ones, as a bus returns).
     * @return the 4 bytes at {@code offset} (little-endian), or {@code fallback}.
     */
    public int getInt(final long offset, final int fallback)
    {
        if (offset < 0 || offset + 4 > buffer.capacity() || (offset & 3) != 0)
        {
            refusedAccesses++;
            return fallback;
        }
        return buffer.getIntVolatile((int)offset);
    }

    /**
     * Guest MMIO write of 4 bytes: {@link #OK}, {@link #OUT_OF_BOUNDS} or {@link #WRITE_PROTECTED} (counted).
     * @param offset the byte offset in the window.
     * @param value the 4 bytes to write (little-endian).
     * @return the outcome code.
     */
    public int putInt(final long offset, final int value)
    {
        if (offset < 0 || offset + 4 > buffer.capacity() || (offset & 3) != 0)
        {
            refusedAccesses++;
            return OUT_OF_BOUNDS;
        }
        if (isReadOnly() || (offset + 4 > tableStart && offset < tableEnd) || (offset + 4 > pbaStart && offset < pbaEnd))
        {
            refusedAccesses++;
            return WRITE_PROTECTED;
        }
        buffer.putIntVolatile((int)offset, value);
        return OK;
    }

    /**
     * Guest accesses refused so far.
     * @return refused accesses (out of bounds, or writes to a protected range).
     */
    public long refusedAccesses()
    {
        return refusedAccesses;
    }

    @Override
    public String toString()
    {
        return "BarWindow{" + virtualAddress + " BAR" + barIndex + " length=" + lengthBytes +
            (isExternal() ? " external" : "") + (isReadOnly() ? " read-only" : "") + "}";
    }
}
