package io.pvnet.checksum.offload;

import org.agrona.MutableDirectBuffer;

/**
 * Where {@link GsoWindowSegmenter} writes each frame: a buffer per segment (e.g. a window on a page granted by a guest),
 * opened just before the segment is written and closed right after. Called on the segmenter's thread, once per
 * segment, in order.
 */
public interface SegmentWindows
{
    /**
     * {@return a buffer whose indices {@code 0 .. length-1} receive the segment, or null to skip it}
     * @param index  the segment, from 0.
     * @param length its length in bytes.
     */
    MutableDirectBuffer open(int index, int length);

    /**
     * Closes the window {@link #open} returned for segment {@code index} (or that it skipped).
     * @param written true when the segment was written to the buffer {@link #open} returned.
     * @param index the segment, from 0.
     * @param length its length in bytes.
     */
    void close(int index, int length, boolean written);
}
