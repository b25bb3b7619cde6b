package io.pvnet.pci.backend;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.device.EmulatedFunction;
import io.pvnet.pci.spec.HideSpec;
import io.pvnet.pci.spec.PciAssignment;
import io.pvnet.pci.spec.PciSelector;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * pvnet's pciback: which devices are hidden (assignable), which are exported to which guest under which virtual
 * address, and the handling of pcifront's operations on them.
 * <p>
 * Unlike NetBSD's pciback, hiding and exporting happen at run time: {@link #hide}, {@link #attach} and {@link #detach}
 * work while guests run, and detach restores the config image saved at attach. Every configuration call validates
 * everything first and changes nothing when it fails.
 * <p>
 * Safety: a real device is only ever read. pciback never unbinds its driver ({@code seize=1} is refused for it),
 * never writes its config space (writes are refused and counted in {@link VirtualConfigSpace}).
 * <p>
 * Not thread-safe: configuration calls and {@link #handle} run on the backend's single agent thread (or are handed to
 * it).
 * <p>
 * Why one file of this length (about 414 lines of code, the rest javadoc): hiding, exporting and the pcifront-style
 * operations share one device table and its locking.
 */
public final class Pciback
{
    private final Map<PciAddress, PciDevice> devices = new TreeMap<>();
    private final Set<PciAddress> hidden = new LinkedHashSet<>();
    private final Map<PciAddress, ExportedDevice> exportedByReal = new LinkedHashMap<>();
    private final Map<Integer, Map<PciAddress, ExportedDevice>> exportedByDomain = new TreeMap<>();
    /**
     * Per guest, its devices by the address it names them with ({@link #guestKey}): the allocation-free lookup of
     * {@link #handle}.
     */
    private final Int2ObjectHashMap<Int2ObjectHashMap<ExportedDevice>> byGuestAddress = new Int2ObjectHashMap<>();
    private final WarningSink warnings;
    private final PciTopology topology;
    private final List<io.pvnet.pci.spec.Quirk> quirks = new ArrayList<>();
    private boolean permissiveDefault;
    private int nextPirq = 64;

    private long ops;
    private long opsFailed;
    private long opsUnknownDevice;

    /**
     * A pciback with xen-pciback's default topology, {@link PciTopology#VPCI}.
     * @param knownDevices the devices it may hide and export (real and emulated).
     * @param warnings where refusals and dropped writes are reported.
     */
    public Pciback(final Collection<PciDevice> knownDevices, final WarningSink warnings)
    {
        this(knownDevices, warnings, PciTopology.VPCI);
    }

    /**
     * A pciback with the given topology.
     * @param topology how every guest of this pciback sees its devices (xen-pciback's {@code passthrough} module
     *                 parameter, likewise fixed for the backend's lifetime).
     * @param knownDevices the devices it may hide and export (real and emulated).
     * @param warnings where refusals and dropped writes are reported.
     */
    public Pciback(final Collection<PciDevice> knownDevices, final WarningSink warnings, final PciTopology topology)
    {
        for (final PciDevice device : knownDevices)
        {
            addDevice(device);
        }
        this.warnings = warnings;
        this.topology = java.util.Objects.requireNonNull(topology, "topology");
    }

    /** {@return how guests see their devices} */
    public PciTopology topology()
    {
        return topology;
    }

    /**
     * Makes a device (for example a newly defined emulated one) known; it must not be known already.
     * @param device the device.
     */
    public void addDevice(final PciDevice device)
    {
        if (devices.putIfAbsent(device.address(), device) != null)
        {
            throw new IllegalArgumentException("device already known: address=" + device.address());
        }
    }

    /** {@return every known device} */
    public Collection<PciDevice> devices()
    {
        return devices.values();
    }

    /**
     * The global permissive default (xen-pciback's module parameter) for devices attached from now on.
     * @param permissive true to pass writes no field covers to the device (emulated devices only).
     */
    public void permissiveDefault(final boolean permissive)
    {
        permissiveDefault = permissive;
    }

    /**
     * Adds a quirk (xen-pciback's {@code quirks} file) for devices attached from now on.
     *
     * @param quirk the quirk.
     * @throws IllegalArgumentException when the device is unknown or the register lies outside its config space.
     */
    public void addQuirk(final io.pvnet.pci.spec.Quirk quirk)
    {
        final PciDevice device = devices.get(quirk.address());
        if (device == null)
        {
            throw new IllegalArgumentException("quirk for an unknown device: address=" + quirk.address());
        }
        if (quirk.register() + quirk.size() > device.config().size())
        {
            throw new IllegalArgumentException("quirk register outside the config space: register=0x" +
                Integer.toHexString(quirk.register()) + " size=" + device.config().size());
        }
        quirks.add(quirk);
    }

    /**
     * Sets permissive mode of one exported device at run time (pciback's per-device sysfs {@code permissive}).
     * @param realAddress the device's real address.
     * @param permissive true to let the guest write registers no field covers.
     */
    public void permissive(final PciAddress realAddress, final boolean permissive)
    {
        exported(realAddress).config().permissive(permissive);
    }

    /**
     * Sets {@code allow_interrupt_control} of one exported device at run time (Linux 5.6+ sysfs attribute).
     * @param realAddress the device's real address.
     * @param allow true to let the guest change INTx disable and MSI/MSI-X enable.
     */
    public void allowInterruptControl(final PciAddress realAddress, final boolean allow)
    {
        exported(realAddress).config().allowInterruptControl(allow);
    }

    private ExportedDevice exported(final PciAddress realAddress)
    {
        final ExportedDevice exported = exportedByReal.get(realAddress);
        if (exported == null)
        {
            throw new IllegalArgumentException("device is not exported: address=" + realAddress);
        }
        return exported;
    }

    // hiding

    /**
     * Hides every known device the spec selects, plus devices behind a selected bridge. All-or-nothing: returns the
     * newly hidden addresses. Selecting nothing is allowed (a hide list may name devices that are not present).
     * @param spec the hide list.
     * @return the addresses newly hidden.
     */
    public List<PciAddress> hide(final HideSpec spec)
    {
        final List<PciAddress> selected = new ArrayList<>();
        for (final PciDevice device : devices.values())
        {
            if (spec.matches(device.address()) || isBehindSelectedBridge(spec, device.address()))
            {
                if (!hidden.contains(device.address()))
                {
                    selected.add(device.address());
                }
            }
        }
        hidden.addAll(selected);
        return selected;
    }

    private boolean isBehindSelectedBridge(final HideSpec spec, final PciAddress address)
    {
        for (final PciDevice bridge : devices.values())
        {
            final ConfigSpace config = bridge.snapshot();
            if (config.headerLayout() == PciRegisters.HEADER_TYPE_BRIDGE && spec.matches(bridge.address()) &&
                bridge.address().domain() == address.domain())
            {
                final int secondary = config.readByte(PciRegisters.SECONDARY_BUS);
                final int subordinate = config.readByte(PciRegisters.SUBORDINATE_BUS);
                if (address.bus() >= secondary && address.bus() <= subordinate && secondary > bridge.address().bus())
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Makes hidden devices available to dom0 again; refused (nothing changed) while any of them is exported.
     * @param addresses the devices to unhide.
     */
    public void unhide(final Collection<PciAddress> addresses)
    {
        for (final PciAddress address : addresses)
        {
            if (exportedByReal.containsKey(address))
            {
                throw new IllegalStateException("device is exported, detach it first: address=" + address);
            }
        }
        hidden.removeAll(addresses);
    }

    /**
     * {@return true when {@code address} is hidden (reserved for guests)}
     * @param address a real address.
     */
    public boolean isHidden(final PciAddress address)
    {
        return hidden.contains(address);
    }

    /** {@return the hidden addresses, a copy} */
    public Set<PciAddress> hiddenDevices()
    {
        return Set.copyOf(hidden);
    }

    // export

    /**
     * Exports the devices of a domain configuration's {@code pci} list to {@code domainId}, at run time.
     * All-or-nothing: every entry is checked (known, hidden or seizable, not exported, virtual slot free) before any
     * device is touched.
     *
     * @param domainId the guest's domain id.
     * @param assignments the entries of its {@code pci} list.
     * @return the exported devices in list order.
     */
    public List<ExportedDevice> attach(final int domainId, final List<PciAssignment> assignments)
    {
        final Map<PciAddress, ExportedDevice> domain = exportedByDomain.getOrDefault(domainId, Map.of());
        final boolean[] slotUsed = new boolean[PciAddress.MAX_SLOT + 1];
        for (final ExportedDevice exported : domain.values())
        {
            slotUsed[exported.virtualAddress().slot()] = true;
        }
        // plan
        final List<PciDevice> planned = new ArrayList<>();
        final List<PciAssignment> plannedAssignment = new ArrayList<>();
        final List<PciAddress> plannedVirtual = new ArrayList<>();
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
                if (exportedByReal.containsKey(address))
                {
                    throw new IllegalStateException("device already exported: address=" + address + " to " +
                        exportedByReal.get(address));
                }
                if (planned.contains(device))
                {
                    throw new IllegalArgumentException("device named twice: address=" + address);
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
                if (topology == PciTopology.PASSTHROUGH)
                {
                    if (assignment.virtualSlot() >= 0)
                    {
                        throw new IllegalArgumentException("@" + Integer.toHexString(assignment.virtualSlot()) +
                            " asks for a virtual slot, which the passthrough topology does not have (the guest sees " +
                            "the real address): pci=" + selector);
                    }
                    planned.add(device);
                    plannedAssignment.add(assignment);
                    plannedVirtual.add(address);
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
                planned.add(device);
                plannedAssignment.add(assignment);
                plannedVirtual.add(new PciAddress(0, 0, slot, address.function()));
            }
        }
        // validate that every virtual config space can be built before touching anything
        final List<VirtualConfigSpace> spaces = new ArrayList<>();
        for (int i = 0; i < planned.size(); i++)
        {
            spaces.add(new VirtualConfigSpace(planned.get(i), permissiveDefault || plannedAssignment.get(i).permissive(),
                false, warnings, quirks));
        }
        // apply
        final List<ExportedDevice> result = new ArrayList<>();
        final Map<PciAddress, ExportedDevice> target = exportedByDomain.computeIfAbsent(domainId, d -> new TreeMap<>());
        for (int i = 0; i < planned.size(); i++)
        {
            final PciDevice device = planned.get(i);
            hidden.add(device.address());
            final ConfigSpace saved = device.snapshot();
            final VirtualConfigSpace space = spaces.get(i);
            space.init();
            if (device.isEmulated())
            {
                // seize: bus mastering off until the guest enables the device
                final int command = device.config().read(PciRegisters.COMMAND, 2);
                device.config().write(PciRegisters.COMMAND, 2, command & ~PciRegisters.COMMAND_MASTER);
            }
            final ExportedDevice exported = new ExportedDevice(domainId, device, plannedVirtual.get(i), space, saved,
                plannedAssignment.get(i));
            exportedByReal.put(device.address(), exported);
            target.put(exported.virtualAddress(), exported);
            byGuestAddress.computeIfAbsent(domainId, d -> new Int2ObjectHashMap<>())
                .put(guestKey(exported.virtualAddress()), exported);
            result.add(exported);
        }
        return result;
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

    /**
     * Detaches a device from its guest at run time: the guest's virtual state is reset and, for an emulated device,
     * the config image saved at attach is restored. A real device was never written, so nothing needs restoring; it
     * stays hidden. Returns the detached device.
     * @param realAddress the device's real address.
     * @return the device as it was exported.
     */
    public ExportedDevice detach(final PciAddress realAddress)
    {
        final ExportedDevice exported = exported(realAddress);
        exported.config().reset();
        final PciDevice device = exported.device();
        if (device.config() instanceof EmulatedFunction function)
        {
            function.restore(exported.savedConfig());
        }
        exportedByReal.remove(realAddress);
        final Map<PciAddress, ExportedDevice> domain = exportedByDomain.get(exported.domainId());
        domain.remove(exported.virtualAddress());
        byGuestAddress.get(exported.domainId()).remove(guestKey(exported.virtualAddress()));
        if (domain.isEmpty())
        {
            exportedByDomain.remove(exported.domainId());
            byGuestAddress.remove(exported.domainId());
        }
        return exported;
    }

    /**
     * {@return the export of the device at {@code realAddress}, or null when it is not exported}
     * @param realAddress the device's real address.
     */
    public ExportedDevice exportedAs(final PciAddress realAddress)
    {
        return exportedByReal.get(realAddress);
    }

    /**
     * The devices exported to {@code domainId}, in virtual address order.
     * @param domainId the guest's domain id.
     * @return the devices.
     */
    public List<ExportedDevice> exportedTo(final int domainId)
    {
        return List.copyOf(exportedByDomain.getOrDefault(domainId, Map.of()).values());
    }

    /**
     * The buses the guest's pcifront scans, as xen-pciback publishes them in {@code root-N}: with
     * {@link PciTopology#VPCI} the one virtual bus {@code 0000:00}; with {@link PciTopology#PASSTHROUGH} each
     * (domain, bus) an exported device lives on, once, in address order, except a bus whose bridge (the one with that
     * secondary bus) is exported to the same guest: pcifront reaches that bus through the bridge.
     * @param domainId the guest's domain id.
     * @return the roots.
     */
    public List<PciRoot> roots(final int domainId)
    {
        final Map<PciAddress, ExportedDevice> domain = exportedByDomain.getOrDefault(domainId, Map.of());
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

    /**
     * The device a guest names by (domain, bus, devfn), or null: with {@link PciTopology#VPCI} its virtual address on
     * bus 0000:00, with {@link PciTopology#PASSTHROUGH} its real address. Allocation-free.
     * @param domainId the guest's domain id.
     * @param pciDomain the PCI domain the guest named.
     * @param bus the bus the guest named.
     * @param devfn the devfn the guest named.
     * @return the exported device, or null.
     */
    public ExportedDevice lookup(final int domainId, final int pciDomain, final int bus, final int devfn)
    {
        if (pciDomain < 0 || pciDomain > PciAddress.MAX_DOMAIN || bus < 0 || bus > PciAddress.MAX_BUS || devfn < 0 ||
            devfn > 0xFF)
        {
            return null;
        }
        final Int2ObjectHashMap<ExportedDevice> guest = byGuestAddress.get(domainId);
        return guest == null ? null : guest.get(guestKey(pciDomain, bus, devfn));
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

    // operations

    /**
     * Handles one pcifront operation from {@code domainId} and writes its results into {@code op}: the error code
     * (returned too), the value, and for enable_msix the vectors. Never throws.
     * @param domainId the guest's domain id.
     * @param op the op, copied from the shared page.
     * @return the {@link XenPciError} code.
     */
    public int handle(final int domainId, final PciOp op)
    {
        ops++;
        final ExportedDevice exported = lookup(domainId, op.domain(), op.bus(), op.devfn());
        final int error;
        if (exported == null)
        {
            opsUnknownDevice++;
            error = XenPciError.DEV_NOT_FOUND;
        }
        else
        {
            error = switch (op.cmd())
            {
                case XenPciOp.CONF_READ ->
                {
                    final long result = exported.config().read(op.offset(), op.size());
                    op.value(VirtualConfigSpace.value(result));
                    yield VirtualConfigSpace.error(result);
                }
                case XenPciOp.CONF_WRITE -> exported.config().write(op.offset(), op.size(), op.value());
                case XenPciOp.ENABLE_MSI -> MsiOps.enableMsi(this, exported, op);
                case XenPciOp.DISABLE_MSI -> MsiOps.disableMsi(exported, op);
                case XenPciOp.ENABLE_MSIX -> MsiOps.enableMsix(this, exported, op);
                case XenPciOp.DISABLE_MSIX -> MsiOps.disableMsix(exported, op);
                default -> XenPciError.NOT_IMPLEMENTED;
            };
        }
        if (error != XenPciError.SUCCESS)
        {
            opsFailed++;
        }
        op.err(error);
        return error;
    }

    int allocatePirq()
    {
        return nextPirq++;
    }

    WarningSink warnings()
    {
        return warnings;
    }

    /** {@return operations handled} */
    public long ops()
    {
        return ops;
    }

    /** {@return operations answered with an error} */
    public long opsFailed()
    {
        return opsFailed;
    }

    /** {@return operations naming a device the guest does not have} */
    public long opsUnknownDevice()
    {
        return opsUnknownDevice;
    }
}
