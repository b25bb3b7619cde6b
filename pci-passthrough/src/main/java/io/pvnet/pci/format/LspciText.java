package io.pvnet.pci.format;

import io.pvnet.pci.PciRegisters;

/**
 * The small pieces of lspci's wording every part of {@link LspciFormatter} uses.
 * <p>
 * Stateless.
 */
final class LspciText
{
    private LspciText()
    {
    }

    /** {@return lspci's flag mark: {@code +} when {@code bit} is set in {@code value}, else {@code -}} */
    static char flag(final int value, final int bit)
    {
        return (value & bit) != 0 ? '+' : '-';
    }

    /** {@return an id as lspci's {@code %#x} prints it: {@code 0}, else {@code 0x} and lower-case hex} */
    static String hashHex(final int value)
    {
        return value == 0 ? "0" : "0x" + Integer.toHexString(value);
    }

    /** {@return the DEVSEL timing of a status register as lspci names it} */
    static String devsel(final int status)
    {
        final int devsel = status & PciRegisters.STATUS_DEVSEL_MASK;
        return devsel == 0 ? "fast" : devsel == 0x200 ? "medium" : devsel == 0x400 ? "slow" : "??";
    }
}
