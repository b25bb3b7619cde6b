package io.pvnet.pci;

/**
 * A PCI function address: domain (segment), bus, slot (device) and function, as in {@code 0000:00:03.0}.
 * Immutable; safe to share between threads.
 *
 * @param domain   0..0xFFFF.
 * @param bus      0..0xFF.
 * @param slot     0..31.
 * @param function 0..7.
 */
public record PciAddress(int domain, int bus, int slot, int function) implements Comparable<PciAddress>
{
    public static final int MAX_DOMAIN = 0xFFFF;
    public static final int MAX_BUS = 0xFF;
    public static final int MAX_SLOT = 31;
    public static final int MAX_FUNCTION = 7;

    /**
     * Checks the ranges.
     * @throws IllegalArgumentException naming every field when one is out of range.
     */
    public PciAddress
    {
        if (domain < 0 || domain > MAX_DOMAIN || bus < 0 || bus > MAX_BUS || slot < 0 || slot > MAX_SLOT ||
            function < 0 || function > MAX_FUNCTION)
        {
            throw new IllegalArgumentException(
                "PCI address out of range: domain=" + domain + " bus=" + bus + " slot=" + slot + " function=" + function);
        }
    }

    /**
     * Parses {@code [DDDD:]BB:SS.F} in hexadecimal (the form lspci and sysfs print).
     *
     * @param text the address.
     * @return the address.
     * @throws IllegalArgumentException naming the text when it is not such an address.
     */
    public static PciAddress parse(final String text)
    {
        final String s = text.trim();
        final String[] colon = s.split(":", -1);
        try
        {
            if (colon.length == 2 || colon.length == 3)
            {
                final int domain = colon.length == 3 ? hex(colon[0], 4) : 0;
                final int bus = hex(colon[colon.length - 2], 2);
                final String[] dot = colon[colon.length - 1].split("\\.", -1);
                if (dot.length == 2)
                {
                    return new PciAddress(domain, bus, hex(dot[0], 2), hex(dot[1], 1));
                }
            }
        }
        catch (final IllegalArgumentException ignored)
        {
            // fall through to the message naming the whole text
        }
        throw new IllegalArgumentException("not a PCI address [DDDD:]BB:SS.F in hex: address=" + text);
    }

    private static int hex(final String digits, final int maxLength)
    {
        if (digits.isEmpty() || digits.length() > maxLength)
        {
            throw new IllegalArgumentException(digits);
        }
        return Integer.parseInt(digits, 16);
    }

    /**
     * {@code slot << 3 | function}, as in Xen's {@code devfn}.
     * @return the devfn.
     */
    public int devfn()
    {
        return slot << 3 | function;
    }

    /**
     * The address with a devfn split back into slot and function.
     * @param domain the PCI domain.
     * @param bus the bus.
     * @param devfn {@code slot << 3 | function}.
     * @return the address.
     */
    public static PciAddress ofDevfn(final int domain, final int bus, final int devfn)
    {
        return new PciAddress(domain, bus, (devfn >> 3) & 0x1F, devfn & 7);
    }

    /**
     * {@code BB:SS.F}, lspci's short form for domain 0.
     * @return the short form.
     */
    public String toShortString()
    {
        return String.format("%02x:%02x.%x", bus, slot, function);
    }

    /**
     * lspci's form: short for domain 0, with the domain otherwise.
     * @return the lspci form.
     */
    public String toLspciString()
    {
        return domain == 0 ? toShortString() : toString();
    }

    @Override
    public String toString()
    {
        return String.format("%04x:%02x:%02x.%x", domain, bus, slot, function);
    }

    @Override
    public int compareTo(final PciAddress other)
    {
        return Long.compare(key(), other.key());
    }

    private long key()
    {
        return (long)domain << 16 | bus << 8 | devfn();
    }
}
