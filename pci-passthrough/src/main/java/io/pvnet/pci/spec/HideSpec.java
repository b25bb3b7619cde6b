package io.pvnet.pci.spec;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed, validated hide list: the selectors in the order written. Immutable.
 *
 * @param grammar   which grammar it was parsed with.
 * @param selectors the entries, duplicates kept as written (expansion removes them).
 */
public record HideSpec(HideSpecParser.Grammar grammar, List<PciSelector> selectors)
{
    /** Copies the list, so the spec is immutable. */
    public HideSpec
    {
        selectors = List.copyOf(selectors);
    }

    /**
     * {@return true when some selector matches {@code address}}
     * @param address a device's address.
     */
    public boolean matches(final PciAddress address)
    {
        for (final PciSelector selector : selectors)
        {
            if (selector.matches(address))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Every address named, wildcards expanded, duplicates dropped, in first-mention order (as xen-pciback does).
     * @return the addresses.
     */
    public Set<PciAddress> expand()
    {
        final Set<PciAddress> addresses = new LinkedHashSet<>();
        for (final PciSelector selector : selectors)
        {
            addresses.addAll(selector.expand());
        }
        return addresses;
    }

    /**
     * The devices of {@code devices} the spec selects.
     * @param devices the known devices.
     * @return the selected ones, in the order of {@code devices}.
     */
    public List<PciDevice> select(final List<PciDevice> devices)
    {
        final List<PciDevice> selected = new ArrayList<>();
        for (final PciDevice device : devices)
        {
            if (matches(device.address()))
            {
                selected.add(device);
            }
        }
        return selected;
    }
}
