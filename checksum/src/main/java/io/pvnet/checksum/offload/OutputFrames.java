package io.pvnet.checksum.offload;

/**
 * Where a splitter put its frames in the caller's output buffer: {@code (offset, length)} pairs, preallocated for at
 * most {@link #capacity()} frames and reused by every call. One instance per thread.
 * <p>
 * Consumers only read ({@link #count}, {@link #offset}, {@link #length}). {@link #clear} and {@link #add} are for
 * producers: the splitters of this package ({@link GsoSegmenter}, {@link IpFragmenter}, {@link FrameOffloader}) and
 * software offloads built on them outside it (the engine's {@code ChecksumFrameOffload}, which fills the frames the
 * bridge hands it).
 */
public final class OutputFrames
{
    private final int[] offsets;
    private final int[] lengths;
    private int count;

    /**
     * An empty list of frames, reused across splits; one producer and its reader on one thread.
     * @param capacity most frames one split may produce, {@code >= 1}.
     */
    public OutputFrames(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " must be >= 1");
        }
        offsets = new int[capacity];
        lengths = new int[capacity];
    }

    /** {@return how many frames fit} */
    public int capacity()
    {
        return offsets.length;
    }

    /** {@return how many frames the last call produced} */
    public int count()
    {
        return count;
    }

    /**
     * {@return index of frame {@code i} in the output buffer}
     * @param i a frame, {@code 0 <= i < count()}.
     */
    public int offset(final int i)
    {
        return offsets[i];
    }

    /**
     * {@return length of frame {@code i}}
     * @param i a frame, {@code 0 <= i < count()}.
     */
    public int length(final int i)
    {
        return lengths[i];
    }

    /** Forgets every frame; a producer calls it before writing the frames of a new call. */
    public void clear()
    {
        count = 0;
    }

    /**
     * Appends one frame; for producers only.
     *
     * @param offset the frame's index in the output buffer.
     * @param length the frame's length in bytes.
     * @return false, adding nothing, when {@link #capacity()} frames are already there.
     */
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

    /** {@return the end of the last frame, or {@code start} when there is none} */
    int end(final int start)
    {
        return count == 0 ? start : offsets[count - 1] + lengths[count - 1];
    }
}
