package io.pvnet.ring.event;

/**
 * Layout of an {@link EventSelector}: one sleeping thread's wake word and a two-level pending bitmap, as Xen's
 * {@code evtchn_pending} words with a per-vCPU {@code evtchn_pending_sel}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |        wake word (u32, futex word): +1 per raise              |
 *  +---------------------------------------------------------------+  4
 *  |  sleeping (i32): 0 = awake; n = the owner's n-th announcement |
 *  +---------------------------------------------------------------+  8
 *  |        capacity (i32): bits, written once by the owner        |
 *  +---------------------------------------------------------------+  12
 *  |                          pad to 64                            |
 *  +---------------------------------------------------------------+  64
 *  |   selector (u64): bit w set = pending word w may have bits    |
 *  +---------------------------------------------------------------+  72
 *  |                          pad to 128                           |
 *  +---------------------------------------------------------------+  128
 *  |   pending word 0 (u64): bits 0..63                            |
 *  |   pending word 1 (u64): bits 64..127 ...                      |
 *  +---------------------------------------------------------------+  128 + 8 * ceil(capacity / 64)
 * </pre>
 * A raiser sets its pending bit (atomic OR), then the word's selector bit (atomic OR), then adds 1 to the wake word
 * (atomic add: a full fence) and reads {@code sleeping}; a raiser that read n wakes the owner only if it wins the CAS
 * from that n to 0, so a raiser delayed between the two cannot take a later announcement. The owner stores a new
 * {@code sleeping} number (volatile), re-checks the selector and sleeps in {@code FUTEX_WAIT} on the wake word's value
 * read before announcing. The owner takes bits with
 * atomic exchanges (selector first, then each marked word), so a bit raised meanwhile stays for the next round.
 */
public final class EventSelectorDescriptor
{
    /** Offset of the wake word (u32, futex word): +1 per raise. */
    public static final int WAKE_WORD_OFFSET = 0;
    /** Offset of the sleeping field (i32): the number of the owner's announcement that it sleeps, 0 while awake. */
    public static final int SLEEPING_OFFSET = 4;
    /** Offset of the capacity in bits (i32), written once by the owner. */
    public static final int CAPACITY_OFFSET = 8;
    /** Offset of the selector word (u64): bit w set = pending word w may have bits. */
    public static final int SELECTOR_OFFSET = 64;
    /** Offset of pending word 0 (u64, bits 0..63); word w follows at {@code + 8 * w}. */
    public static final int PENDING_OFFSET = 128;
    /** Most bits a selector holds: one selector word over 64 pending words. */
    public static final int MAX_CAPACITY = 64 * 64;

    private EventSelectorDescriptor()
    {
    }

    /**
     * {@return bytes a selector of {@code capacity} bits needs}
     * @param capacity bits in the selector.
     */
    public static int lengthBytes(final int capacity)
    {
        checkCapacity(capacity);
        return PENDING_OFFSET + 8 * ((capacity + 63) / 64);
    }

    /**
     * {@return offset of the pending word holding {@code bit}}
     * @param bit a bit number, {@code 0 <= bit < capacity}.
     */
    public static int pendingWordOffset(final int bit)
    {
        return PENDING_OFFSET + 8 * (bit >>> 6);
    }

    /**
     * Checks a selector's capacity.
     * @param capacity bits asked for.
     * @throws IllegalArgumentException with {@code capacity=value} outside 1..{@value #MAX_CAPACITY}.
     */
    public static void checkCapacity(final int capacity)
    {
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " must be in 1.." + MAX_CAPACITY);
        }
    }
}
