package io.pvnet.pci.backend;

import io.pvnet.pci.Capability;
import io.pvnet.pci.CapabilityWalker;
import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.Resource;
import io.pvnet.pci.spec.Quirk;

import java.util.ArrayList;
import java.util.List;

import static io.pvnet.pci.PciRegisters.*;

/**
 * Which registers of a device's config space the guest sees virtualized, and how: the field list of xen-pciback's
 * {@code conf_space_header.c} (ids, command, interrupt line and pin, cache line size, latency, BIST, each BAR or
 * 64-bit upper half, the ROM), {@code conf_space_capability.c} (VPD, power management, MSI and MSI-X message control,
 * as the device's capability list has them) and {@code conf_space_quirks.c} (a quirk per register it names). A field
 * on an offset that already has one is ignored, as xen-pciback ignores duplicates.
 * <p>
 * Built once per attach, for {@link VirtualConfigSpace}, which dispatches accesses to the fields. Its thread only.
 *
 * @param fields     the fields, header first, then capabilities, then quirks.
 * @param msiOffset  the MSI capability's offset, or -1.
 * @param msixOffset the MSI-X capability's offset, or -1.
 */
record ConfigFieldList(List<ConfigField> fields, int msiOffset, int msixOffset)
{
    /**
     * {@return the fields of {@code device}, whose config space reads {@code config} (header type 0 or 1)}
     * @param quirks every quirk of the pciback; those for other devices or outside the config space are left out.
     */
    static ConfigFieldList of(final PciDevice device, final ConfigSpace config, final List<Quirk> quirks)
    {
        final List<ConfigField> fields = new ArrayList<>();
        final int layout = config.headerLayout();
        add(fields, new ConfigField.ReadOnly(VENDOR_ID, 2));
        add(fields, new ConfigField.ReadOnly(DEVICE_ID, 2));
        add(fields, new CommandField());
        add(fields, new ConfigField.Captured(INTERRUPT_LINE, 1));
        add(fields, new ConfigField.ReadOnly(INTERRUPT_PIN, 1));
        add(fields, new ConfigField.PassThrough(CACHE_LINE_SIZE, 1));
        add(fields, new ConfigField.ReadOnly(LATENCY_TIMER, 1));
        add(fields, new ConfigField.Bist(BIST));
        final int bars = layout == HEADER_TYPE_NORMAL ? 6 : 2;
        for (int i = 0; i < bars; i++)
        {
            final Resource previous = i > 0 ? device.resource(i - 1) : Resource.NONE;
            if (previous.isMem64())
            {
                add(fields, new BarField(BAR0 + 4 * i, BarField.Kind.UPPER_HALF, previous));
            }
            else
            {
                add(fields, new BarField(BAR0 + 4 * i, BarField.Kind.BAR, device.resource(i)));
            }
        }
        add(fields, new BarField(layout == HEADER_TYPE_NORMAL ? ROM_ADDRESS : ROM_ADDRESS1, BarField.Kind.ROM,
            device.resource(6)));

        final CapabilityWalker.Walk walk = CapabilityWalker.walk(config);
        final Capability vpd = walk.find(CAP_ID_VPD);
        if (vpd != null)
        {
            add(fields, new ConfigField.ReadOnly(vpd.offset(), 2));
            add(fields, new CapabilityFields.VpdAddress(vpd.offset()));
        }
        final Capability pm = walk.find(CAP_ID_PM);
        if (pm != null)
        {
            add(fields, new ConfigField.ReadOnly(pm.offset(), 2));
            add(fields, new CapabilityFields.PmCapabilities(pm.offset()));
            add(fields, new CapabilityFields.PmControl(pm.offset()));
        }
        final Capability msi = walk.find(CAP_ID_MSI);
        if (msi != null)
        {
            add(fields, new ConfigField.ReadOnly(msi.offset(), 2));
            add(fields, new CapabilityFields.MessageControl(msi.offset(), false));
        }
        final Capability msix = walk.find(CAP_ID_MSIX);
        if (msix != null)
        {
            add(fields, new ConfigField.ReadOnly(msix.offset(), 2));
            add(fields, new CapabilityFields.MessageControl(msix.offset(), true));
        }
        for (final Quirk quirk : quirks)
        {
            if (quirk.address().equals(device.address()) && quirk.register() + quirk.size() <= device.config().size())
            {
                add(fields, new ConfigField.Quirk(quirk.register(), quirk.size(), quirk.mask()));
            }
        }
        return new ConfigFieldList(List.copyOf(fields), msi == null ? -1 : msi.offset(),
            msix == null ? -1 : msix.offset());
    }

    private static void add(final List<ConfigField> fields, final ConfigField field)
    {
        for (final ConfigField existing : fields)
        {
            if (existing.offset == field.offset)
            {
                return; // xen-pciback ignores duplicate offsets
            }
        }
        fields.add(field);
    }
}
