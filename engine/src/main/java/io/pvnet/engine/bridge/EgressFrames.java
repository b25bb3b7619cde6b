package io.pvnet.engine.bridge;

/**
 * Where an {@link EgressOffload} put the frames it made in the bridge's output buffer: {@code (offset, length)} pairs,
 * preallocated for at most {@link #capacity()} frames and reused for every frame (the shape of the checksum module's
 * {@code OutputFrames}). Bridge thread only.
 */
public final class EgressFrames
{
    private final int[] offsets;
    private final int[] lengths;
    private int count;

    /** @param capacity most frames one call may produce, {@code >= 1}. */
    public EgressFrames(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " must be >= 1");
        }
        offsets = new int[capacity];
        lengths = new int[capacity];
    }

    public int capacity()
    {
        return offsets.length;
    }

    public int count()
    {
        return count;
    }

    public int offset(final int i)
    {
        return offsets[i];
    }

    public int length(final int i)
    {
        return lengths[i];
    }

    public void clear()
    {
        count = 0;
    }

    /** @return false when full. */
    public boolean add(final int offset, final int length)
    {
        if (count == offsets.length)
        {
            return false;
        }
        offsets[count] = offset;
        lengths[count] = length;
        count++;
        return true;
    }
}
