package io.pvnet.engine.router;

import io.pvnet.engine.frame.FrameMetadata;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Frames waiting for their next hop's MAC: a pool of preallocated slots (one off-heap frame buffer each), chained per
 * neighbour ({@link NeighbourTable}) through {@link #next}, returned to a free list when sent or dropped. Frames are
 * stored already rewritten (TTL, source MAC); only the destination MAC is filled in on resolution.
 * <p>
 * Threading: the router thread only; nothing allocates after construction.
 */
public final class PendingFrames
{
    /** End of a chain. */
    public static final int END = -1;

    private final UnsafeBuffer[] frames;
    private final int[] lengths;
    /** Each slot's copy of its frame's metadata (the caller's instance is valid only during {@link #take}). */
    private final FrameMetadata[] metadata;
    private final int[] next;
    private int free;
    private int inUse;

    /**
     * A pool of free slots, each with its own direct buffer, allocated here.
     *
     * @param slots      frames held at most, {@code 1..4096}.
     * @param frameBytes largest frame a slot holds, in bytes.
     */
    public PendingFrames(final int slots, final int frameBytes)
    {
        if (slots < 1 || slots > 4096)
        {
            throw new IllegalArgumentException("slots=" + slots + " must be in 1..4096");
        }
        frames = new UnsafeBuffer[slots];
        lengths = new int[slots];
        metadata = new FrameMetadata[slots];
        next = new int[slots];
        for (int i = 0; i < slots; i++)
        {
            frames[i] = new UnsafeBuffer(ByteBuffer.allocateDirect(frameBytes));
            metadata[i] = new FrameMetadata();
            next[i] = i + 1 < slots ? i + 1 : END;
        }
        free = 0;
    }

    /**
     * Takes a free slot and copies a frame and its metadata's values into it.
     *
     * @param buffer        holds the frame (already rewritten for its next hop but the destination MAC).
     * @param offset        where the frame starts in {@code buffer}.
     * @param length        the frame's length in bytes.
     * @param frameMetadata the frame's metadata (the caller's: only its values are kept, with the frame).
     * @return the slot, or {@link #END} when every slot is in use or the frame is larger than a slot.
     */
    public int take(
        final org.agrona.DirectBuffer buffer, final int offset, final int length, final FrameMetadata frameMetadata)
    {
        if (free == END || length > frames[free].capacity())
        {
            return END;
        }
        final int slot = free;
        free = next[slot];
        next[slot] = END;
        frames[slot].putBytes(0, buffer, offset, length);
        lengths[slot] = length;
        metadata[slot].copyFrom(frameMetadata);
        inUse++;
        return slot;
    }

    /**
     * Returns a slot to the free list (its frame was sent or dropped).
     *
     * @param slot a slot in use.
     * @return the slot that followed it in its chain, or {@link #END}.
     */
    public int release(final int slot)
    {
        final int following = next[slot];
        next[slot] = free;
        free = slot;
        inUse--;
        return following;
    }

    void link(final int slot, final int following)
    {
        next[slot] = following;
    }

    /**
     * {@return the buffer holding the frame in {@code slot}, from offset 0; valid until the slot is released}
     *
     * @param slot a slot in use.
     */
    public UnsafeBuffer frame(final int slot)
    {
        return frames[slot];
    }

    /**
     * {@return the length in bytes of the frame in {@code slot}}
     *
     * @param slot a slot in use.
     */
    public int length(final int slot)
    {
        return lengths[slot];
    }

    /**
     * {@return the metadata of the frame in {@code slot}: this table's own copy, valid until the slot is released}
     *
     * @param slot a slot in use.
     */
    public FrameMetadata metadata(final int slot)
    {
        return metadata[slot];
    }

    /** {@return frames waiting now} */
    public int inUse()
    {
        return inUse;
    }
}
