package io.pvnet.ring.event;

import org.agrona.DirectBuffer;

/**
 * Layout of an event-channel section: an array of ports, each on its own 128-byte cache-line pair so that two
 * sides notifying each other never share a line.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  port * 128 + 0
 *  |     event word (u32, futex word): notifications to this port  |
 *  +---------------------------------------------------------------+  port * 128 + 4
 *  |  armed (i32): n = the owner's n-th arming: it stopped polling |
 *  |  this port, wake it; 0 = it polls                             |
 *  +---------------------------------------------------------------+  port * 128 + 8
 *  |  selector bit + 1 (i32): 0 = the owner sleeps on this port's  |
 *  |  event word; n = the owner sleeps in an EventSelector: raise  |
 *  |  its bit n - 1                                                |
 *  +---------------------------------------------------------------+  port * 128 + 12
 *  |                          pad to 128                           |
 *  |                              ...                              |
 *  +---------------------------------------------------------------+  port * 128 + 128
 * </pre>
 * A notifier increments the target port's event word with an atomic add (a full barrier: everything it wrote before,
 * such as a ring push, is visible to a waiter that sees the new value with an acquire load), then reads {@code armed};
 * only when the owner armed the port (and the notifier wins the CAS from the arming n it read to 0; each arming has
 * its own n, so a notifier delayed between the read and the CAS cannot disarm a later one) does it pay a wake-up: a
 * {@code FUTEX_WAKE} on the event word (no private flag: works across processes mapping the section), or raising the
 * owner's bit in its {@link EventSelector}. A waiter stores a new {@code armed} number (volatile: store then full fence),
 * re-checks its rings, and sleeps in {@code FUTEX_WAIT} on the event word's value read before arming. As in Xen, a
 * notification is only a hint and several may collapse into one. The word wraps at 2^32.
 */
public final class EventChannelDescriptor
{
    /** Bytes per port: a 128-byte cache-line pair. */
    public static final int PORT_LENGTH = 128;
    /** Offset in a port of the event word (u32, futex word). */
    public static final int EVENT_WORD_OFFSET = 0;
    /** Offset in a port of the armed field (i32): the owner's arming number, 0 while it polls. */
    public static final int ARMED_OFFSET = 4;
    /** Offset in a port of the selector bit + 1 (i32; 0 = no selector). */
    public static final int SELECTOR_BIT_OFFSET = 8;

    private EventChannelDescriptor()
    {
    }

    /**
     * {@return bytes a section of {@code portCount} ports needs}
     * @param portCount ports in the section.
     */
    public static int lengthBytes(final int portCount)
    {
        return portCount * PORT_LENGTH;
    }

    /**
     * {@return ports that fit in {@code capacityBytes}}
     * @param capacityBytes the section's length.
     */
    public static int portCount(final int capacityBytes)
    {
        return capacityBytes / PORT_LENGTH;
    }

    /**
     * {@return offset of port {@code port}'s event word}
     * @param port the port number.
     */
    public static int eventWordOffset(final int port)
    {
        return port * PORT_LENGTH + EVENT_WORD_OFFSET;
    }

    /**
     * {@return offset of port {@code port}'s armed flag}
     * @param port the port number.
     */
    public static int armedOffset(final int port)
    {
        return port * PORT_LENGTH + ARMED_OFFSET;
    }

    /**
     * {@return offset of port {@code port}'s selector binding}
     * @param port the port number.
     */
    public static int selectorBitOffset(final int port)
    {
        return port * PORT_LENGTH + SELECTOR_BIT_OFFSET;
    }

    /**
     * Checks that {@code port} lies inside {@code buffer} and that the buffer suits atomic access.
     * @param buffer the event-channel section.
     * @param port the port number.
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
