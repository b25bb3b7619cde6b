package io.pvnet.pci;

/**
 * A decoded Base Address Register (or expansion ROM), as {@code lspci} shows it.
 *
 * @param index        0..5 for BARs, {@link #ROM_INDEX} for the expansion ROM.
 * @param offset       config-space offset of the (lower) register.
 * @param kind         what the register decodes.
 * @param prefetchable memory only.
 * @param address      bus address from the register(s), flag bits removed.
 * @param sizeBytes    size, a power of two; 0 when unknown (a dump carries no sizes) or unimplemented.
 * @param rawFlags     the low flag bits of the register (4 for memory, 2 for I/O, bit 0 = enable for a ROM).
 */
public record Bar(int index, int offset, Kind kind, boolean prefetchable, long address, long sizeBytes, int rawFlags)
{
    public static final int ROM_INDEX = 6;

    /** What a BAR decodes. */
    public enum Kind
    {
        /** An I/O space BAR. */
        IO("I/O"),
        /** A 32-bit memory BAR. */
        MEMORY32("32-bit"),
        /** A memory BAR below 1 MiB (the legacy type 1). */
        MEMORY_LOW_1M("low-1M"),
        /** A 64-bit memory BAR (two registers). */
        MEMORY64("64-bit"),
        /** A memory BAR of the reserved type 3. */
        MEMORY_TYPE3("type 3"),
        /** The expansion ROM. */
        ROM("ROM");

        private final String lspciName;

        Kind(final String lspciName)
        {
            this.lspciName = lspciName;
        }

        /** {@return the kind as lspci prints it ({@code 32-bit}, {@code I/O}, ...)} */
        public String lspciName()
        {
            return lspciName;
        }
    }

    /** {@return true for an I/O BAR} */
    public boolean isIo()
    {
        return kind == Kind.IO;
    }

    /** {@return true for a 64-bit memory BAR} */
    public boolean is64Bit()
    {
        return kind == Kind.MEMORY64;
    }

    /** {@return true for the expansion ROM} */
    public boolean isRom()
    {
        return kind == Kind.ROM;
    }

    /**
     * The number of config registers the BAR occupies (2 for a 64-bit memory BAR).
     * @return 1 or 2.
     */
    public int registerCount()
    {
        return kind == Kind.MEMORY64 ? 2 : 1;
    }
}
