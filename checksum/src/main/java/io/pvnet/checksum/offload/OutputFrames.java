package io.pvnet.checksum.offload;

/**
 * Where a splitter put its frames in the caller's output buffer: {@code (offset, length)} pairs, preallocated for at
 * most {@link #capacity()} frames and reused by every call. One instance per thread.
 */
public final class OutputFrames
{
    private final int[] offsets;
    private final int[] lengths;
    private int count;

    /** @param capacity most frames one split may produce, {@code >= 1}. */
    public OutputFrames(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " must be >= 1");
        }
        offsets = new int[capacity];
        lengths = new int[capacity];
    }

    /** @return how many frames fit. */
    public int capacity()
    {
        return offsets.length;
    }

    /** @return how many frames the last call produced. */
    public int count()
    {
        return count;
    }

    /** @return index of frame {@code i} in the output buffer. */
    public int offset(final int i)
    {
        return offsets[i];
    }

    /** @return length of frame {@code i}. */
    public int length(final int i)
    {
        return lengths[i];
    }

    void clear()
    {
        count = 0;
    }

    void add(final int offset, final int length)
    {
        offsets[count] = offset;
        lengths[count] = length;
        count++;
    }

    /** @return the end of the last frame, or {@code start} when there is none. */
    int end(final int start)
    {
        return count == 0 ? start : offsets[count - 1] + lengths[count - 1];
    }
}
