package io.pvnet.ring.event;

import org.agrona.DirectBuffer;

/**
 * Layout of an event-channel section: an array of ports, each on its own 128-byte cache-line pair so that two
 * sides notifying each other never share a line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  port * 128 + 0
 *  |      pending sequence (i64): notifications sent to this port  |
 *  |                                                               |
 *  +---------------------------------------------------------------+  port * 128 + 8
 *  |                          pad to 128                           |
 *  |                              ...                              |
 *  +---------------------------------------------------------------+  port * 128 + 128
 * </pre>
 * A notifier increments the target port's sequence with an atomic add (a full barrier: everything it wrote before,
 * such as a ring push, is visible to a waiter that sees the new value with an acquire load). A waiter remembers the
 * last value it saw; any change means "something happened, look at the ring". As in Xen, a notification is only a
 * hint and several notifications may collapse into one.
 */
public final class EventChannelDescriptor
{
    public static final int PORT_LENGTH = 128;
    public static final int PENDING_SEQUENCE_OFFSET = 0;

    private EventChannelDescriptor()
    {
    }

    /** @return bytes a section of {@code portCount} ports needs. */
    public static int lengthBytes(final int portCount)
    {
        return portCount * PORT_LENGTH;
    }

    /** @return ports that fit in {@code capacityBytes}. */
    public static int portCount(final int capacityBytes)
    {
        return capacityBytes / PORT_LENGTH;
    }

    /** @return offset of port {@code port}'s pending sequence. */
    public static int pendingSequenceOffset(final int port)
    {
        return port * PORT_LENGTH + PENDING_SEQUENCE_OFFSET;
    }

    /**
     * @throws IllegalArgumentException with {@code name=value} when {@code port} does not fit in {@code buffer}, or the
     *                                  buffer is not 8-byte aligned.
     */
    public static void checkPort(final DirectBuffer buffer, final int port)
    {
        if (port < 0 || port >= portCount(buffer.capacity()))
        {
            throw new IllegalArgumentException("port=" + port + " outside 0.." + (portCount(buffer.capacity()) - 1)
                + " (capacity=" + buffer.capacity() + ")");
        }
        if ((buffer.addressOffset() & 7) != 0)
        {
            throw new IllegalArgumentException("event channel buffer must be 8-byte aligned: addressOffset="
                + buffer.addressOffset());
        }
    }
}
