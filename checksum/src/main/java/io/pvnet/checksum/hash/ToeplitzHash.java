package io.pvnet.checksum.hash;

import org.agrona.DirectBuffer;

/**
 * The Toeplitz hash of Microsoft's receive-side scaling, as Xen's netif.h and Linux netback define it
 * ({@code XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ}): key and input are bit strings, most significant bit of byte 0
 * first; for every input bit that is 1, the 32 key bits starting at that bit's position are XORed into the result.
 * <p>
 * Table-driven: {@link #key} precomputes, for each input byte position (up to {@link #MAX_INPUT_BYTES}) and each byte
 * value, the XOR of the key windows its set bits select, so hashing costs one table load and one XOR per input byte
 * (a 12-byte IPv4/TCP tuple: 12 loads). The table is rebuilt on every key change (a control-ring request, rare).
 * <pre>
 *   T[i][v] = XOR over bits j (0 = MSB) set in v of W(8i + j),   W(p) = key bits p .. p+31 (bits past the key are 0)
 *   hash(in) = XOR over i of T[i][in[i]]
 * </pre>
 * Byte-exact with the bit-serial definition ({@link #reference}) and with Microsoft's "Verifying the RSS Hash
 * Calculation" vectors (tests). Input may be hashed in pieces that sit apart in a frame (addresses here, ports
 * there) with {@link #hash(DirectBuffer, int, int, int)} and XORed together: nothing is copied.
 * <p>
 * Threads: {@link #key} and hashing on one thread (the owner of the vif's hash state); hashing allocates nothing.
 */
public final class ToeplitzHash
{
    /** Longest key (Linux {@code XEN_NETBK_MAX_HASH_KEY_SIZE}); shorter keys are padded with zeros. */
    public static final int MAX_KEY_BYTES = 40;
    /** Longest input: IPv6 source and destination addresses and TCP ports. */
    public static final int MAX_INPUT_BYTES = 36;

    private final byte[] key = new byte[MAX_KEY_BYTES];
    private final int[] table = new int[MAX_INPUT_BYTES * 256];

    /** A hash with the all-zero key (every hash 0), as a vif starts. */
    public ToeplitzHash()
    {
    }

    /**
     * Sets the key: {@code length} bytes from {@code buffer}, the rest of the 40 zero; rebuilds the table.
     *
     * @param buffer holds the key.
     * @param offset where in {@code buffer} the key starts.
     * @param length the key's length in bytes.
     * @throws IllegalArgumentException when {@code length} is negative or over {@link #MAX_KEY_BYTES}.
     */
    public void key(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 0 || length > MAX_KEY_BYTES)
        {
            throw new IllegalArgumentException("Toeplitz key too long: length=" + length + " (max " +
                MAX_KEY_BYTES + ")");
        }
        java.util.Arrays.fill(key, (byte)0);
        buffer.getBytes(offset, key, 0, length);
        rebuild();
    }

    /**
     * As {@link #key(DirectBuffer, int, int)} from an array.
     * @param bytes the key, up to {@link #MAX_KEY_BYTES} bytes.
     */
    public void key(final byte[] bytes)
    {
        key(new org.agrona.concurrent.UnsafeBuffer(bytes), 0, bytes.length);
    }

    /** {@return a copy of the 40-byte key in use} */
    public byte[] key()
    {
        return key.clone();
    }

    private void rebuild()
    {
        for (int i = 0; i < MAX_INPUT_BYTES; i++)
        {
            final int[] windows = new int[8];
            for (int j = 0; j < 8; j++)
            {
                windows[j] = window(8 * i + j);
            }
            final int base = i << 8;
            for (int v = 0; v < 256; v++)
            {
                int h = 0;
                for (int j = 0; j < 8; j++)
                {
                    if ((v & (0x80 >>> j)) != 0)
                    {
                        h ^= windows[j];
                    }
                }
                table[base + v] = h;
            }
        }
    }

    /** The 32 key bits starting at bit {@code position} (bits past the key read as 0). */
    private int window(final int position)
    {
        final int q = position >>> 3;
        final int r = position & 7;
        long five = 0;
        for (int k = 0; k < 5; k++)
        {
            five = five << 8 | keyByte(q + k);
        }
        return (int)(five >>> (8 - r));
    }

    private int keyByte(final int index)
    {
        return index < MAX_KEY_BYTES ? key[index] & 0xFF : 0;
    }

    /**
     * The hash of {@code length} bytes at {@code offset}, as a whole input.
     * @param input the input (addresses, then ports, in network order).
     * @param offset where in {@code input} it starts.
     * @param length the input's length in bytes.
     * @return the 32-bit hash.
     */
    public int hash(final DirectBuffer input, final int offset, final int length)
    {
        return hash(input, offset, length, 0);
    }

    /**
     * The part of a hash that {@code length} input bytes at input position {@code position} contribute; XOR the
     * parts of an input split in pieces. Bytes beyond input position {@link #MAX_INPUT_BYTES} contribute nothing
     * (callers never hash more: Linux hashes at most 36 bytes).
     * @param input the bytes.
     * @param offset where in {@code input} they start.
     * @param length how many bytes.
     * @param position their position in the whole input (0 for the first byte).
     * @return the part of the hash these bytes contribute.
     */
    public int hash(final DirectBuffer input, final int offset, final int length, final int position)
    {
        final int[] t = table;
        final int end = Math.min(length, MAX_INPUT_BYTES - position);
        int h = 0;
        int base = position << 8;
        int i = 0;
        // four bytes per load where the input allows: the table positions stay in order
        for (; i + 4 <= end; i += 4, base += 1024)
        {
            final int word = input.getInt(offset + i, java.nio.ByteOrder.BIG_ENDIAN);
            h ^= t[base + (word >>> 24)] ^ t[base + 256 + (word >>> 16 & 0xFF)] ^
                t[base + 512 + (word >>> 8 & 0xFF)] ^ t[base + 768 + (word & 0xFF)];
        }
        for (; i < end; i++, base += 256)
        {
            h ^= t[base + (input.getByte(offset + i) & 0xFF)];
        }
        return h;
    }

    /**
     * The bit-serial definition (netif.h), for tests and as the oracle: slow, allocation-free.
     *
     * @param key   up to 40 bytes (shorter keys read as zero-padded).
     * @param input the input bytes.
     * @param length how many bytes of {@code input} to hash.
     * @return the 32-bit hash.
     */
    public static int reference(final byte[] key, final byte[] input, final int length)
    {
        long window = 0;
        int next = 0;
        for (; next < 8; next++)
        {
            window = window << 8 | (next < key.length ? key[next] & 0xFF : 0);
        }
        int h = 0;
        for (int i = 0; i < length; i++)
        {
            final int b = input[i] & 0xFF;
            for (int bit = 7; bit >= 0; bit--)
            {
                if ((b >>> bit & 1) != 0)
                {
                    h ^= (int)(window >>> 32);
                }
                window <<= 1;
            }
            window |= next < key.length ? key[next] & 0xFF : 0;
            next++;
        }
        return h;
    }
}
