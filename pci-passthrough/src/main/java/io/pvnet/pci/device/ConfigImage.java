package io.pvnet.pci.device;

import io.pvnet.pci.ConfigSpace;

/**
 * An emulated function's config space while {@link EmulatedDeviceBuilder} writes it: the register values and, byte
 * for byte, which bits the guest may write and which clear when written with 1 (RW1C), as {@link EmulatedFunction}
 * then enforces them.
 * <p>
 * Not thread-safe: one build.
 */
final class ConfigImage
{
    final ConfigSpace space;
    final byte[] writable;
    final byte[] writeOneToClear;

    ConfigImage(final int size)
    {
        space = new ConfigSpace(size);
        writable = new byte[size];
        writeOneToClear = new byte[size];
    }

    /** Makes {@code bits} of the {@code length}-byte register at {@code offset} writable. */
    void writable(final int offset, final int length, final int bits)
    {
        mask(writable, offset, length, bits);
    }

    /** Makes {@code bits} of the {@code length}-byte register at {@code offset} clear when written with 1. */
    void writeOneToClear(final int offset, final int length, final int bits)
    {
        mask(writeOneToClear, offset, length, bits);
    }

    private static void mask(final byte[] masks, final int offset, final int length, final int bits)
    {
        for (int i = 0; i < length; i++)
        {
            masks[offset + i] |= (byte)(bits >>> (8 * i));
        }
    }
}
