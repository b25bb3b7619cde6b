package io.pvnet.pci.spec;

import io.pvnet.pci.PciAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a hide list: a function, all functions of a slot ({@code SS.*}) or all slots of a bus ({@code *.*}),
 * as xen-pciback's {@code hide=} accepts. There is no "any slot, one function" form.
 *
 * @param domain   0..0xFFFF.
 * @param bus      0..0xFF.
 * @param slot     0..31, or {@link #ANY}.
 * @param function 0..7, or {@link #ANY}.
 */
public record PciSelector(int domain, int bus, int slot, int function)
{
    public static final int ANY = -1;

    /**
     * Checks the ranges.
     * @throws IllegalArgumentException naming every field when one is out of range, or for "any slot, one function".
     */
    public PciSelector
    {
        if (domain < 0 || domain > PciAddress.MAX_DOMAIN || bus < 0 || bus > PciAddress.MAX_BUS ||
            slot < ANY || slot > PciAddress.MAX_SLOT || function < ANY || function > PciAddress.MAX_FUNCTION ||
            (slot == ANY && function != ANY))
        {
            throw new IllegalArgumentException("bad selector: domain=" + domain + " bus=" + bus + " slot=" + slot +
                " function=" + function);
        }
    }

    /**
     * {@return a selector of exactly one function}
     * @param address the function's address.
     */
    public static PciSelector of(final PciAddress address)
    {
        return new PciSelector(address.domain(), address.bus(), address.slot(), address.function());
    }

    /** {@return true when the selector names more than one function} */
    public boolean isWildcard()
    {
        return function == ANY;
    }

    /**
     * {@return true when {@code address} is one the selector stands for}
     * @param address a function's address.
     */
    public boolean matches(final PciAddress address)
    {
        return address.domain() == domain && address.bus() == bus && (slot == ANY || address.slot() == slot) &&
            (function == ANY || address.function() == function);
    }

    /**
     * Every address the selector stands for: 1, 8 or 256 of them.
     * @return the addresses, in order.
     */
    public List<PciAddress> expand()
    {
        final List<PciAddress> addresses = new ArrayList<>();
        for (int s = slot == ANY ? 0 : slot; s <= (slot == ANY ? PciAddress.MAX_SLOT : slot); s++)
        {
            for (int f = function == ANY ? 0 : function; f <= (function == ANY ? PciAddress.MAX_FUNCTION : function);
                f++)
            {
                addresses.add(new PciAddress(domain, bus, s, f));
            }
        }
        return addresses;
    }

    /** Xen's form, {@code DDDD:BB:SS.F} with {@code *} for wildcards. */
    @Override
    public String toString()
    {
        return String.format("%04x:%02x:%s.%s", domain, bus, slot == ANY ? "*" : String.format("%02x", slot),
            function == ANY ? "*" : Integer.toString(function));
    }
}
