package io.pvnet.pci.channel;

import io.pvnet.pci.Bar;
import io.pvnet.pci.Capability;
import io.pvnet.pci.CapabilityWalker;
import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.backend.ExportedDevice;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionSection;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

import static io.pvnet.pci.channel.PciSectionDescriptor.*;

/**
 * One guest's pci section of the region ({@link PciSectionDescriptor}): the pcifront/pciback shared page and the BAR
 * windows of the devices exported to that guest.
 * <p>
 * Threads: the backend formats the section and adds and removes windows (configuration time, allocates); any process
 * mapping the region may {@link #attach} and read the window table.
 */
public final class PciSection
{
    private final AtomicBuffer buffer;
    private final int domainId;
    private final int windowCapacity;
    private final int dataStart;
    private final int dataLength;

    private PciSection(final AtomicBuffer buffer)
    {
        this.buffer = buffer;
        this.domainId = buffer.getInt(DOMAIN_ID_OFFSET);
        this.windowCapacity = buffer.getInt(WINDOW_CAPACITY_OFFSET);
        this.dataLength = buffer.getInt(WINDOW_DATA_LENGTH_OFFSET);
        this.dataStart = windowDataStart(windowCapacity);
    }

    /**
     * The section name for a guest: {@code pci-<domid>}.
     * @param domainId the guest's domain id.
     * @return the name.
     */
    public static String sectionName(final int domainId)
    {
        return "pci-" + domainId;
    }

    /**
     * Allocates and formats the pci section of guest {@code domainId} in {@code region}.
     *
     * @param windowCapacity  how many BAR windows it can describe.
     * @param windowDataBytes bytes of region memory for emulated BARs.
     * @param region the region shared with the guest.
     * @param domainId the guest's domain id.
     * @return the section, formatted and published.
     */
    public static PciSection allocate(final Region region, final int domainId, final int windowCapacity,
        final int windowDataBytes)
    {
        final RegionSection section = region.allocateSection(sectionName(domainId),
            PciSectionDescriptor.lengthBytes(windowCapacity, windowDataBytes));
        return format(section.buffer(), domainId, windowCapacity);
    }

    /**
     * Finds and attaches to guest {@code domainId}'s pci section (another process may have created it).
     * @param region the region shared with the guest.
     * @param domainId the guest's domain id.
     * @return the section, validated.
     */
    public static PciSection find(final Region region, final int domainId)
    {
        return attach(region.section(sectionName(domainId)).buffer());
    }

    /**
     * Formats {@code buffer} (zero-filled) as a pci section; the layout version is published last.
     * @param buffer the section's memory.
     * @param domainId the guest's domain id.
     * @param windowCapacity how many BAR windows it can describe.
     * @return the section.
     */
    public static PciSection format(final AtomicBuffer buffer, final int domainId, final int windowCapacity)
    {
        final int dataStart = windowDataStart(windowCapacity);
        if (buffer.capacity() < dataStart)
        {
            throw new IllegalArgumentException("pci section too small for its window table: capacity=" +
                buffer.capacity() + " needed=" + dataStart);
        }
        final int dataLength = (buffer.capacity() - dataStart) & -PAGE_SIZE;
        buffer.setMemory(0, dataStart, (byte)0);
        buffer.putLong(MAGIC_OFFSET, MAGIC);
        buffer.putInt(DOMAIN_ID_OFFSET, domainId);
        buffer.putInt(WINDOW_CAPACITY_OFFSET, windowCapacity);
        buffer.putInt(WINDOW_DATA_LENGTH_OFFSET, dataLength);
        buffer.putInt(WINDOW_DATA_USED_OFFSET, 0);
        // release: a reader that sees the version (acquire) sees the header and the zeroed table and shared page
        buffer.putIntRelease(VERSION_OFFSET, LAYOUT_VERSION);
        return new PciSection(buffer);
    }

    /**
     * Attaches to a section another party formatted.
     * @param buffer the section's memory.
     * @return the section, validated.
     * @throws IllegalArgumentException naming the field that is wrong.
     */
    public static PciSection attach(final AtomicBuffer buffer)
    {
        checkSection(buffer);
        return new PciSection(buffer);
    }

    /** {@return the section's memory} */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /** {@return the guest's domain id, as written in the header} */
    public int domainId()
    {
        return domainId;
    }

    /**
     * Offset of the pcifront/pciback shared page in {@link #buffer()}.
     * @return the offset.
     */
    public int sharedInfoOffset()
    {
        return SHARED_INFO_OFFSET;
    }

    /** {@return how many BAR windows the table can describe} */
    public int windowCapacity()
    {
        return windowCapacity;
    }

    /**
     * Free bytes of window data.
     * @return free bytes.
     */
    public int windowDataFree()
    {
        return dataLength - buffer.getInt(WINDOW_DATA_USED_OFFSET);
    }

    /**
     * Puts an emulated BAR into region memory: a page-aligned, zero-filled window (a freed window of the same size is
     * reused), described in the table.
     *
     * @param virtualAddress the device's address as the guest sees it.
     * @param barIndex the BAR's index (6 for the ROM).
     * @param flags the {@link PciSectionDescriptor} FLAG_* bits.
     * @param lengthBytes the BAR's size.
     * @return the window, or null when the table or the data area is full (the caller reports the reason).
     */
    public BarWindow addWindow(final PciAddress virtualAddress, final int barIndex, final int flags,
        final long lengthBytes)
    {
        if (lengthBytes <= 0 || lengthBytes > Integer.MAX_VALUE - PAGE_SIZE)
        {
            return null;
        }
        final int pages = align((int)lengthBytes, PAGE_SIZE);
        int entry = -1;
        long dataOffset = -1;
        for (int i = 0; i < windowCapacity; i++)
        {
            final int at = windowEntryOffset(i);
            // a freed entry keeps its data offset and length: reuse it when the size matches
            if (buffer.getIntAcquire(at + WINDOW_STATE_OFFSET) == WINDOW_FREE &&
                buffer.getLong(at + WINDOW_LENGTH_OFFSET) == pages && buffer.getLong(at + WINDOW_DATA_OFFSET) > 0)
            {
                entry = i;
                dataOffset = buffer.getLong(at + WINDOW_DATA_OFFSET);
                break;
            }
        }
        if (entry < 0)
        {
            entry = freshEntry();
            final int used = buffer.getInt(WINDOW_DATA_USED_OFFSET);
            if (entry < 0 || used + (long)pages > dataLength)
            {
                return null;
            }
            dataOffset = dataStart + used;
            buffer.putInt(WINDOW_DATA_USED_OFFSET, used + pages);
        }
        buffer.setMemory((int)dataOffset, pages, (byte)0);
        publish(entry, virtualAddress, barIndex, flags, dataOffset, pages);
        return new BarWindow(virtualAddress, barIndex, flags, lengthBytes,
            new UnsafeBuffer(buffer, (int)dataOffset, (int)lengthBytes), entry);
    }

    /**
     * Describes a real BAR mapped by this process (EXTERNAL: other processes see its length only).
     * @param virtualAddress the device's address as the guest sees it.
     * @param barIndex the BAR's index (6 for the ROM).
     * @param flags the {@link PciSectionDescriptor} FLAG_* bits (EXTERNAL is added).
     * @param mapping the mapped resource file; owned by the caller's arena.
     * @return the window, or null when the table is full or the mapping is 2 GiB or more.
     */
    public BarWindow addExternalWindow(final PciAddress virtualAddress, final int barIndex, final int flags,
        final java.lang.foreign.MemorySegment mapping)
    {
        final int entry = freshEntry();
        if (entry < 0 || mapping.byteSize() > Integer.MAX_VALUE)
        {
            return null;
        }
        publish(entry, virtualAddress, barIndex, flags | FLAG_EXTERNAL, 0, mapping.byteSize());
        return new BarWindow(virtualAddress, barIndex, flags | FLAG_EXTERNAL, mapping.byteSize(),
            new UnsafeBuffer(mapping.address(), (int)mapping.byteSize()), entry);
    }

    private int freshEntry()
    {
        for (int i = 0; i < windowCapacity; i++)
        {
            final int at = windowEntryOffset(i);
            if (buffer.getIntAcquire(at + WINDOW_STATE_OFFSET) == WINDOW_FREE && buffer.getLong(at + WINDOW_DATA_OFFSET) == 0)
            {
                return i;
            }
        }
        return -1;
    }

    private void publish(final int entry, final PciAddress virtualAddress, final int barIndex, final int flags,
        final long dataOffset, final long length)
    {
        final int at = windowEntryOffset(entry);
        buffer.putShort(at + WINDOW_PCI_DOMAIN_OFFSET, (short)virtualAddress.domain());
        buffer.putByte(at + WINDOW_BUS_OFFSET, (byte)virtualAddress.bus());
        buffer.putByte(at + WINDOW_DEVFN_OFFSET, (byte)virtualAddress.devfn());
        buffer.putInt(at + WINDOW_BAR_OFFSET, barIndex);
        buffer.putInt(at + WINDOW_FLAGS_OFFSET, flags);
        buffer.putLong(at + WINDOW_DATA_OFFSET, dataOffset);
        buffer.putLong(at + WINDOW_LENGTH_OFFSET, length);
        // release: a reader that sees LIVE (acquire) sees the entry
        buffer.putIntRelease(at + WINDOW_STATE_OFFSET, WINDOW_LIVE);
    }

    /**
     * Frees every window of {@code virtualAddress} (detach); emulated window memory is zeroed for the next user.
     * @param virtualAddress the device's address as the guest sees it.
     * @return how many windows were freed.
     */
    public int removeWindows(final PciAddress virtualAddress)
    {
        int removed = 0;
        for (int i = 0; i < windowCapacity; i++)
        {
            final int at = windowEntryOffset(i);
            if (buffer.getIntAcquire(at + WINDOW_STATE_OFFSET) == WINDOW_LIVE &&
                (buffer.getShort(at + WINDOW_PCI_DOMAIN_OFFSET) & 0xFFFF) == virtualAddress.domain() &&
                (buffer.getByte(at + WINDOW_BUS_OFFSET) & 0xFF) == virtualAddress.bus() &&
                (buffer.getByte(at + WINDOW_DEVFN_OFFSET) & 0xFF) == virtualAddress.devfn())
            {
                buffer.putIntRelease(at + WINDOW_STATE_OFFSET, WINDOW_FREE);
                final long dataOffset = buffer.getLong(at + WINDOW_DATA_OFFSET);
                if ((buffer.getInt(at + WINDOW_FLAGS_OFFSET) & FLAG_EXTERNAL) != 0)
                {
                    buffer.putLong(at + WINDOW_DATA_OFFSET, 0);
                    buffer.putLong(at + WINDOW_LENGTH_OFFSET, 0);
                }
                else
                {
                    buffer.setMemory((int)dataOffset, (int)buffer.getLong(at + WINDOW_LENGTH_OFFSET), (byte)0);
                }
                removed++;
            }
        }
        return removed;
    }

    /**
     * A live window as another process reads it from the table.
     *
     * @param virtualAddress the device as the guest sees it.
     * @param barIndex       0..5, 6 for the ROM.
     * @param flags          FLAG_* bits.
     * @param dataOffset     offset of the window in the section (0 for EXTERNAL).
     * @param lengthBytes    bytes (page-rounded for region windows).
     */
    public record WindowEntry(PciAddress virtualAddress, int barIndex, int flags, long dataOffset, long lengthBytes)
    {
    }

    /**
     * The live windows, in table order.
     * @return the windows.
     */
    public List<WindowEntry> windows()
    {
        final List<WindowEntry> windows = new ArrayList<>();
        for (int i = 0; i < windowCapacity; i++)
        {
            final int at = windowEntryOffset(i);
            if (buffer.getIntAcquire(at + WINDOW_STATE_OFFSET) == WINDOW_LIVE)
            {
                windows.add(new WindowEntry(PciAddress.ofDevfn(buffer.getShort(at + WINDOW_PCI_DOMAIN_OFFSET) & 0xFFFF,
                    buffer.getByte(at + WINDOW_BUS_OFFSET) & 0xFF, buffer.getByte(at + WINDOW_DEVFN_OFFSET) & 0xFF),
                    buffer.getInt(at + WINDOW_BAR_OFFSET), buffer.getInt(at + WINDOW_FLAGS_OFFSET),
                    buffer.getLong(at + WINDOW_DATA_OFFSET), buffer.getLong(at + WINDOW_LENGTH_OFFSET)));
            }
        }
        return windows;
    }

    /**
     * Maps every BAR of an exported device: emulated BARs into region memory (with the MSI-X table and PBA
     * write-protected), real BARs through {@code mapper} when the user allowed it.
     *
     * @param reasons receives one line per BAR left without a window, saying why.
     * @param exported the device, as attached to the guest.
     * @param mapper maps real BARs, as the user allowed.
     * @return the windows made.
     */
    public List<BarWindow> exportBars(final ExportedDevice exported, final RealBarMapper mapper,
        final List<String> reasons)
    {
        final List<BarWindow> windows = new ArrayList<>();
        final ConfigSpace config = exported.device().snapshot();
        final Capability msix = CapabilityWalker.walk(config).find(PciRegisters.CAP_ID_MSIX);
        for (final Bar bar : exported.device().bars())
        {
            if (bar.isRom())
            {
                continue;
            }
            final int flags = (bar.isIo() ? FLAG_IO : 0) | (bar.is64Bit() ? FLAG_MEM64 : 0) |
                (bar.prefetchable() ? FLAG_PREFETCH : 0);
            final BarWindow window;
            if (exported.device().isEmulated())
            {
                window = bar.sizeBytes() <= windowDataFree() ?
                    addWindow(exported.virtualAddress(), bar.index(), flags, bar.sizeBytes()) : null;
                if (window == null)
                {
                    reasons.add(exported.device().address() + " BAR" + bar.index() + ": " + bar.sizeBytes() +
                        " bytes do not fit the pci section (free " + windowDataFree() + " bytes, " +
                        windowCapacity + " windows)");
                    continue;
                }
            }
            else
            {
                final RealBarMapper.Result result = mapper == null ?
                    new RealBarMapper.Result(null, false, "no real BAR mapping requested") :
                    mapper.map(exported.device(), bar);
                if (!result.isMapped())
                {
                    reasons.add(exported.device().address() + " BAR" + bar.index() + ": " + result.reason());
                    continue;
                }
                window = addExternalWindow(exported.virtualAddress(), bar.index(),
                    flags | (result.writable() ? 0 : FLAG_READ_ONLY), result.segment());
                if (window == null)
                {
                    reasons.add(exported.device().address() + " BAR" + bar.index() + ": the window table is full");
                    continue;
                }
            }
            if (msix != null)
            {
                final int table = config.readDword(msix.offset() + PciRegisters.MSIX_TABLE);
                final int pba = config.readDword(msix.offset() + PciRegisters.MSIX_PBA);
                final int entries = (config.readWord(msix.offset() + PciRegisters.MSIX_FLAGS) &
                    PciRegisters.MSIX_FLAGS_QSIZE) + 1;
                if ((table & PciRegisters.MSIX_BIR_MASK) == bar.index())
                {
                    final long start = table & ~PciRegisters.MSIX_BIR_MASK;
                    window.protectTable(start, start + 16L * entries);
                }
                if ((pba & PciRegisters.MSIX_BIR_MASK) == bar.index())
                {
                    final long start = pba & ~PciRegisters.MSIX_BIR_MASK;
                    window.protectPba(start, start + 8L * ((entries + 63) / 64));
                }
            }
            windows.add(window);
        }
        return windows;
    }
}
