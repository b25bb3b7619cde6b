package io.pvnet.pci.backend;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciRegisters;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link Pciback}'s record of which device is exported to which guest, kept three ways: by real address (one export
 * per device), per guest by virtual address (in order, for listing and roots), and per guest by the (domain, bus,
 * devfn) it names the device with, packed in an int: the allocation-free lookup of every pcifront op.
 * <p>
 * Not thread-safe: {@link Pciback}'s thread only.
 */
final class ExportTable
{
    private final Map<PciAddress, ExportedDevice> byReal = new LinkedHashMap<>();
    private final Map<Integer, Map<PciAddress, ExportedDevice>> byDomain = new TreeMap<>();
    private final Int2ObjectHashMap<Int2ObjectHashMap<ExportedDevice>> byGuestAddress = new Int2ObjectHashMap<>();

    /** Records {@code exported} under its real address, and under its virtual address in its guest. */
    void add(final ExportedDevice exported)
    {
        byReal.put(exported.device().address(), exported);
        byDomain.computeIfAbsent(exported.domainId(), d -> new TreeMap<>()).put(exported.virtualAddress(), exported);
        byGuestAddress.computeIfAbsent(exported.domainId(), d -> new Int2ObjectHashMap<>())
            .put(guestKey(exported.virtualAddress()), exported);
    }

    /** Forgets {@code exported}, and its guest once it has no device left. */
    void remove(final ExportedDevice exported)
    {
        byReal.remove(exported.device().address());
        final Map<PciAddress, ExportedDevice> domain = byDomain.get(exported.domainId());
        domain.remove(exported.virtualAddress());
        byGuestAddress.get(exported.domainId()).remove(guestKey(exported.virtualAddress()));
        if (domain.isEmpty())
        {
            byDomain.remove(exported.domainId());
            byGuestAddress.remove(exported.domainId());
        }
    }

    /** {@return the export of the device at {@code realAddress}, or null} */
    ExportedDevice byReal(final PciAddress realAddress)
    {
        return byReal.get(realAddress);
    }

    /** {@return the devices exported to {@code domainId} by virtual address, empty for a guest without any} */
    Map<PciAddress, ExportedDevice> domain(final int domainId)
    {
        return byDomain.getOrDefault(domainId, Map.of());
    }

    /** {@link Pciback#lookup}: allocation-free. */
    ExportedDevice lookup(final int domainId, final int pciDomain, final int bus, final int devfn)
    {
        if (pciDomain < 0 || pciDomain > PciAddress.MAX_DOMAIN || bus < 0 || bus > PciAddress.MAX_BUS || devfn < 0 ||
            devfn > 0xFF)
        {
            return null;
        }
        final Int2ObjectHashMap<ExportedDevice> guest = byGuestAddress.get(domainId);
        return guest == null ? null : guest.get(guestKey(pciDomain, bus, devfn));
    }

    /** {@link Pciback#roots}. */
    List<PciRoot> roots(final int domainId, final PciTopology topology)
    {
        final Map<PciAddress, ExportedDevice> domain = domain(domainId);
        if (domain.isEmpty())
        {
            return List.of();
        }
        if (topology == PciTopology.VPCI)
        {
            return List.of(new PciRoot(0, 0));
        }
        final Set<PciRoot> roots = new LinkedHashSet<>();
        for (final ExportedDevice exported : domain.values())
        {
            final PciAddress address = exported.virtualAddress();
            if (!isBehindExportedBridge(domain, address))
            {
                roots.add(new PciRoot(address.domain(), address.bus()));
            }
        }
        return List.copyOf(roots);
    }

    private static boolean isBehindExportedBridge(final Map<PciAddress, ExportedDevice> domain,
        final PciAddress address)
    {
        for (final ExportedDevice candidate : domain.values())
        {
            final ConfigSpace config = candidate.device().snapshot();
            if (config.headerLayout() == PciRegisters.HEADER_TYPE_BRIDGE &&
                candidate.virtualAddress().domain() == address.domain() &&
                config.readByte(PciRegisters.SECONDARY_BUS) == address.bus() &&
                candidate.virtualAddress().bus() != address.bus())
            {
                return true;
            }
        }
        return false;
    }

    private static int guestKey(final PciAddress address)
    {
        return guestKey(address.domain(), address.bus(), address.devfn());
    }

    /** domain:bus:devfn packed into 32 bits (16 + 8 + 8). */
    private static int guestKey(final int pciDomain, final int bus, final int devfn)
    {
        return pciDomain << 16 | bus << 8 | devfn;
    }
}
