package io.pvnet.engine.xnb;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The slot array of a ring (shared, or the backend's private snapshot of it), indexed by free-running ring index:
 * slot {@code i} lives at {@code base + (i & mask) * slotLength} ({@code ring.h}: slots start after the 64-byte header).
 * Single-threaded.
 */
public final class SlotArray
{
    private final MutableDirectBuffer buffer;
    private final int base;
    private final int mask;
    private final int slotLength;

    /**
     * @param buffer     the memory holding the slots.
     * @param base       offset of slot 0.
     * @param slotCount  a power of two.
     * @param slotLength bytes per slot.
     */
    public SlotArray(final MutableDirectBuffer buffer, final int base, final int slotCount, final int slotLength)
    {
        if (Integer.bitCount(slotCount) != 1 || base < 0 || (long)base + (long)slotCount * slotLength > buffer.capacity())
        {
            throw new IllegalArgumentException("slots do not fit: base=" + base + " slotCount=" + slotCount + " slotLength=" +
                slotLength + " capacity=" + buffer.capacity());
        }
        this.buffer = buffer;
        this.base = base;
        this.mask = slotCount - 1;
        this.slotLength = slotLength;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /** @return the byte offset of ring index {@code index} in {@link #buffer()}. */
    public int offset(final int index)
    {
        return base + (index & mask) * slotLength;
    }

    public int slotCount()
    {
        return mask + 1;
    }

    public int slotLength()
    {
        return slotLength;
    }

    /**
     * Copies slots {@code [from, to)} of {@code source} into the same indices of this array: the single read of shared
     * memory ({@code RING_COPY_REQUEST}, XSA-155). Everything after works on the copy. Both arrays have the same slot
     * count and length; the run is copied in at most two block copies (it may wrap).
     */
    public void copyFrom(final SlotArray source, final int from, final int to)
    {
        int index = from;
        int remaining = to - from;
        while (remaining > 0)
        {
            final int run = Math.min(remaining, slotCount() - (index & mask));
            buffer.putBytes(offset(index), source.buffer, source.offset(index), run * slotLength);
            index += run;
            remaining -= run;
        }
    }
}
