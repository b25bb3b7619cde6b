package io.pvnet.pci.backend;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.device.EmulatedFunction;
import io.pvnet.pci.spec.HideSpec;
import io.pvnet.pci.spec.PciAssignment;

import java.util.ArrayList;
import java.util.Collection;
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
 * Which device is exported where is {@link ExportTable}'s; the checks of an attach, before anything changes, are
 * {@link AttachPlan}'s; the MSI ops are {@link MsiOps}'.
 */
public final class Pciback
{
    private final Map<PciAddress, PciDevice> devices = new TreeMap<>();
    private final Set<PciAddress> hidden = new LinkedHashSet<>();
    private final ExportTable exports = new ExportTable();
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
        final ExportedDevice exported = exports.byReal(realAddress);
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
            if (exports.byReal(address) != null)
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
        final List<AttachPlan.Entry> plan = AttachPlan.plan(domainId, assignments, devices, hidden, exports, topology);
        // validate that every virtual config space can be built before touching anything
        final List<VirtualConfigSpace> spaces = new ArrayList<>();
        for (final AttachPlan.Entry entry : plan)
        {
            spaces.add(new VirtualConfigSpace(entry.device(), permissiveDefault || entry.assignment().permissive(),
                false, warnings, quirks));
        }
        // apply
        final List<ExportedDevice> result = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++)
        {
            final PciDevice device = plan.get(i).device();
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
            final ExportedDevice exported = new ExportedDevice(domainId, device, plan.get(i).virtualAddress(), space,
                saved, plan.get(i).assignment());
            exports.add(exported);
            result.add(exported);
        }
        return result;
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
        exports.remove(exported);
        return exported;
    }

    /**
     * {@return the export of the device at {@code realAddress}, or null when it is not exported}
     * @param realAddress the device's real address.
     */
    public ExportedDevice exportedAs(final PciAddress realAddress)
    {
        return exports.byReal(realAddress);
    }

    /**
     * The devices exported to {@code domainId}, in virtual address order.
     * @param domainId the guest's domain id.
     * @return the devices.
     */
    public List<ExportedDevice> exportedTo(final int domainId)
    {
        return List.copyOf(exports.domain(domainId).values());
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
        return exports.roots(domainId, topology);
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
        return exports.lookup(domainId, pciDomain, bus, devfn);
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
