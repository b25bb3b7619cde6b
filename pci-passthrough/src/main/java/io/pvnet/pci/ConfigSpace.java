package io.pvnet.pci;

import java.util.Arrays;

/**
 * A PCI configuration space image: 64, 256 or 4096 bytes, little-endian registers.
 * <p>
 * {@link #readableLength()} may be shorter than {@link #size()}: unprivileged readers of sysfs {@code config} see only
 * 64 bytes, and an {@code lspci -x} dump holds only 64; bytes past it read as 0xFF, as a master abort would, and
 * {@link #isReadable(int, int)} tells callers who must not guess.
 * <p>
 * Not thread-safe: one owner mutates it; copy with {@link #copy()} to hand a snapshot to another thread.
 */
public final class ConfigSpace
{
    private final byte[] bytes;
    private int readableLength;

    /**
     * A zero-filled image of {@code sizeBytes} (64, 256 or 4096), fully readable.
     * @param sizeBytes 64, 256 or 4096.
     */
    public ConfigSpace(final int sizeBytes)
    {
        if (sizeBytes != 64 && sizeBytes != PciRegisters.CONFIG_SPACE_SIZE &&
            sizeBytes != PciRegisters.EXTENDED_CONFIG_SPACE_SIZE)
        {
            throw new IllegalArgumentException("config space size must be 64, 256 or 4096: sizeBytes=" + sizeBytes);
        }
        bytes = new byte[sizeBytes];
        readableLength = sizeBytes;
    }

    /**
     * An image holding {@code data} (its first {@code length} bytes are what the source could read); the size is the
     * smallest of 256/4096 that holds it, the rest reads 0xFF.
     * @param data the bytes read from the source.
     * @param length how many of them are valid.
     * @return a new image, owning a copy of the bytes.
     */
    public static ConfigSpace of(final byte[] data, final int length)
    {
        if (length < 0 || length > data.length || length > PciRegisters.EXTENDED_CONFIG_SPACE_SIZE)
        {
            throw new IllegalArgumentException("bad config image length: length=" + length + " data=" + data.length);
        }
        final ConfigSpace space = new ConfigSpace(
            length > PciRegisters.CONFIG_SPACE_SIZE ? PciRegisters.EXTENDED_CONFIG_SPACE_SIZE :
                PciRegisters.CONFIG_SPACE_SIZE);
        Arrays.fill(space.bytes, (byte)0xFF);
        System.arraycopy(data, 0, space.bytes, 0, length);
        space.readableLength = length;
        return space;
    }

    /** {@return the image's size in bytes: 64, 256 or 4096} */
    public int size()
    {
        return bytes.length;
    }

    /**
     * Bytes the source actually provided; past this, reads return all ones.
     * @return the readable length in bytes.
     */
    public int readableLength()
    {
        return readableLength;
    }

    /**
     * {@return true when every byte of {@code [offset, offset + length)} was provided by the source}
     * @param offset the first byte.
     * @param length how many bytes.
     */
    public boolean isReadable(final int offset, final int length)
    {
        return offset >= 0 && length >= 0 && offset + length <= readableLength;
    }

    /**
     * True when the image has the extended (PCIe) space beyond 256 bytes.
     * @return true for 4096 bytes.
     */
    public boolean hasExtendedSpace()
    {
        return readableLength > PciRegisters.CONFIG_SPACE_SIZE;
    }

    /**
     * {@return the byte at {@code offset}, 0xFF past the readable length}
     * @param offset the byte's offset.
     */
    public int readByte(final int offset)
    {
        return offset >= 0 && offset < readableLength ? bytes[offset] & 0xFF : 0xFF;
    }

    /**
     * {@return the little-endian 16-bit word at {@code offset}, all ones past the readable length}
     * @param offset the word's offset.
     */
    public int readWord(final int offset)
    {
        return readByte(offset) | readByte(offset + 1) << 8;
    }

    /**
     * {@return the little-endian 32-bit dword at {@code offset}, all ones past the readable length}
     * @param offset the dword's offset.
     */
    public int readDword(final int offset)
    {
        return readWord(offset) | readWord(offset + 2) << 16;
    }

    /**
     * Reads a 1, 2 or 4 byte register.
     * @param offset the register's offset.
     * @param size 1, 2 or 4 bytes.
     * @return the value, zero-extended.
     */
    public int read(final int offset, final int size)
    {
        return switch (size)
        {
            case 1 -> readByte(offset);
            case 2 -> readWord(offset);
            case 4 -> readDword(offset);
            default -> throw new IllegalArgumentException("size must be 1, 2 or 4: size=" + size);
        };
    }

    /**
     * Writes the byte at {@code offset}.
     * @param offset the byte's offset.
     * @param value the byte (low 8 bits used).
     */
    public void writeByte(final int offset, final int value)
    {
        checkWrite(offset, 1);
        bytes[offset] = (byte)value;
    }

    /**
     * Writes the little-endian 16-bit word at {@code offset}.
     * @param offset the word's offset.
     * @param value the word (low 16 bits used).
     */
    public void writeWord(final int offset, final int value)
    {
        checkWrite(offset, 2);
        bytes[offset] = (byte)value;
        bytes[offset + 1] = (byte)(value >>> 8);
    }

    /**
     * Writes the little-endian 32-bit dword at {@code offset}.
     * @param offset the dword's offset.
     * @param value the dword.
     */
    public void writeDword(final int offset, final int value)
    {
        checkWrite(offset, 4);
        for (int i = 0; i < 4; i++)
        {
            bytes[offset + i] = (byte)(value >>> (8 * i));
        }
    }

    /**
     * Writes a 1, 2 or 4 byte register.
     * @param offset the register's offset.
     * @param size 1, 2 or 4 bytes.
     * @param value the value (low {@code size} bytes used).
     */
    public void write(final int offset, final int size, final int value)
    {
        switch (size)
        {
            case 1 -> writeByte(offset, value);
            case 2 -> writeWord(offset, value);
            case 4 -> writeDword(offset, value);
            default -> throw new IllegalArgumentException("size must be 1, 2 or 4: size=" + size);
        }
    }

    private void checkWrite(final int offset, final int length)
    {
        if (offset < 0 || offset + length > bytes.length)
        {
            throw new IndexOutOfBoundsException("config write outside image: offset=" + offset + " length=" + length +
                " size=" + bytes.length);
        }
        if (offset + length > readableLength)
        {
            readableLength = Math.max(readableLength, offset + length);
        }
    }

    /**
     * A copy of the readable bytes.
     * @return a new array of {@link #readableLength()} bytes.
     */
    public byte[] toByteArray()
    {
        return Arrays.copyOf(bytes, readableLength);
    }

    /** {@return an independent copy of this image} */
    public ConfigSpace copy()
    {
        final ConfigSpace copy = ConfigSpace.of(Arrays.copyOf(bytes, bytes.length), readableLength);
        return copy;
    }

    // header helpers

    /** {@return the vendor ID} */
    public int vendorId()
    {
        return readWord(PciRegisters.VENDOR_ID);
    }

    /** {@return the device ID} */
    public int deviceId()
    {
        return readWord(PciRegisters.DEVICE_ID);
    }

    /**
     * Class code, subclass and programming interface as 0xCCSSPP.
     * @return the class code.
     */
    public int classCode()
    {
        return readByte(PciRegisters.CLASS) << 16 | readByte(PciRegisters.SUBCLASS) << 8 |
            readByte(PciRegisters.PROG_IF);
    }

    /**
     * Header layout 0, 1 or 2, without the multi-function bit.
     * @return the header layout.
     */
    public int headerLayout()
    {
        return readByte(PciRegisters.HEADER_TYPE) & 0x7F;
    }
}
