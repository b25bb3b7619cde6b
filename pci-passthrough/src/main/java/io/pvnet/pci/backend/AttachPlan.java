package io.pvnet.pci.backend;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.spec.PciAssignment;
import io.pvnet.pci.spec.PciSelector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checking half of {@link Pciback#attach}: which device each entry of a guest's {@code pci} list names, and the
 * address the guest will see it at, with every refusal found before anything is touched (unknown, already exported,
 * named twice, not hidden without {@code seize=1}, {@code seize=1} on a real device, a virtual slot taken or missing,
 * {@code @VSLOT} in the passthrough topology). With {@link PciTopology#VPCI} the functions of one physical slot share a
 * virtual slot on bus {@code 0000:00}, the first free one unless the entry names one; with
 * {@link PciTopology#PASSTHROUGH} the guest sees the real address.
 * <p>
 * Stateless: reads the pciback's tables, changes nothing. Its thread only.
 */
final class AttachPlan
{
    /** One device to export: the entry that named it and its address in the guest. */
    record Entry(PciDevice device, PciAssignment assignment, PciAddress virtualAddress)
    {
    }

    private AttachPlan()
    {
    }

    /**
     * {@return the devices {@code assignments} name, in list order, each with its virtual address}
     * @throws IllegalArgumentException or IllegalStateException naming the first refusal; nothing has changed.
     */
    static List<Entry> plan(
        final int domainId, final List<PciAssignment> assignments, final Map<PciAddress, PciDevice> devices,
        final Set<PciAddress> hidden, final ExportTable exports, final PciTopology topology)
    {
        final boolean[] slotUsed = new boolean[PciAddress.MAX_SLOT + 1];
        for (final ExportedDevice exported : exports.domain(domainId).values())
        {
            slotUsed[exported.virtualAddress().slot()] = true;
        }
        final List<Entry> planned = new ArrayList<>();
        final Map<String, Integer> slotOfRealSlot = new LinkedHashMap<>();
        for (final PciAssignment assignment : assignments)
        {
            final PciSelector selector = assignment.selector();
            final List<PciDevice> matched = new ArrayList<>();
            for (final PciAddress address : selector.expand())
            {
                final PciDevice device = devices.get(address);
                if (device != null)
                {
                    matched.add(device);
                }
            }
            if (matched.isEmpty())
            {
                throw new IllegalArgumentException("no such device: pci=" + selector);
            }
            for (final PciDevice device : matched)
            {
                final PciAddress address = device.address();
                checkAssignable(device, assignment, hidden, exports, planned);
                if (topology == PciTopology.PASSTHROUGH)
                {
                    if (assignment.virtualSlot() >= 0)
                    {
                        throw new IllegalArgumentException("@" + Integer.toHexString(assignment.virtualSlot()) +
                            " asks for a virtual slot, which the passthrough topology does not have (the guest sees " +
                            "the real address): pci=" + selector);
                    }
                    planned.add(new Entry(device, assignment, address));
                    continue;
                }
                final String realSlot = address.domain() + ":" + address.bus() + ":" + address.slot();
                Integer slot = slotOfRealSlot.get(realSlot);
                if (slot == null)
                {
                    slot = assignment.virtualSlot() >= 0 ? assignment.virtualSlot() : firstFree(slotUsed);
                    if (slot < 0 || slotUsed[slot])
                    {
                        throw new IllegalStateException(slot < 0 ? "no free virtual slot on bus 00 for domain " +
                            domainId : "virtual slot " + slot + " is taken in domain " + domainId);
                    }
                    slotUsed[slot] = true;
                    slotOfRealSlot.put(realSlot, slot);
                }
                planned.add(new Entry(device, assignment, new PciAddress(0, 0, slot, address.function())));
            }
        }
        return planned;
    }

    private static void checkAssignable(
        final PciDevice device, final PciAssignment assignment, final Set<PciAddress> hidden, final ExportTable exports,
        final List<Entry> planned)
    {
        final PciAddress address = device.address();
        final ExportedDevice exported = exports.byReal(address);
        if (exported != null)
        {
            throw new IllegalStateException("device already exported: address=" + address + " to " + exported);
        }
        for (final Entry entry : planned)
        {
            if (entry.device().equals(device))
            {
                throw new IllegalArgumentException("device named twice: address=" + address);
            }
        }
        if (!hidden.contains(address))
        {
            if (!assignment.seize())
            {
                throw new IllegalStateException("device is not hidden (assignable): address=" + address +
                    "; hide it first or pass seize=1 (emulated devices only)");
            }
            if (!device.isEmulated())
            {
                throw new IllegalStateException("seize=1 would unbind the driver of a real device; pvnet " +
                    "never does that: address=" + address + " driver=" + device.driver());
            }
        }
    }

    private static int firstFree(final boolean[] used)
    {
        for (int i = 0; i < used.length; i++)
        {
            if (!used[i])
            {
                return i;
            }
        }
        return -1;
    }
}
