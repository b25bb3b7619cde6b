package io.pvnet.perf.latency;

import io.pvnet.engine.VifFrontend;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Layout of the Ethernet frames the {@code vif} and {@code switch} latency paths send: an Ethernet header with
 * EtherType 0x88B5 (IEEE local experimental), then three timestamps, little-endian like the netif structs, then zeros
 * up to the frame size.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    destination MAC (6 bytes)                  |  0
 *  +                               +-------------------------------+
 *  |                               |                               |
 *  +-------------------------------+      source MAC (6 bytes)     +
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |     EtherType 0x88B5          |   intended send time (ns) ... | 12, 14
 *  +-------------------------------+-------------------------------+
 *  |   ... intended send time                                      |
 *  +-------------------------------+-------------------------------+
 *  |   ... intended send time      |   actual send time (ns) ...   | 22
 *  +-------------------------------+-------------------------------+
 *  |   ... actual send time                                        |
 *  +-------------------------------+-------------------------------+
 *  |   ... actual send time        |   mid-path time (ns) ...      | 30: the host (vif) or guest B's echo (switch)
 *  +-------------------------------+-------------------------------+
 *  |   ... mid-path time                                           |
 *  +-------------------------------+-------------------------------+
 *  |   ... mid-path time           |   sequence number (32 bits)...| 38: set by paths that keep stamps aside (switch)
 *  +-------------------------------+-------------------------------+
 *  |   ... sequence number         |   zeros to the frame size     | 42
 *  +-------------------------------+-------------------------------+
 * </pre>
 */
final class StampedFrameDescriptor
{
    static final int ETHER_TYPE_OFFSET = 12;
    static final int INTENDED_SEND_OFFSET = 14;
    static final int SEND_OFFSET = 22;
    static final int MID_PATH_OFFSET = 30;
    static final int SEQUENCE_OFFSET = 38;
    /** Smallest frame that holds the header, the three stamps and the sequence number. */
    static final int MIN_FRAME_BYTES = 42;
    static final short ETHER_TYPE = (short)0x88B5;
    static final ByteOrder STAMP_ORDER = ByteOrder.LITTLE_ENDIAN;

    private StampedFrameDescriptor()
    {
    }

    /** @return a zeroed frame of {@code length} bytes from {@code sourceMac} to {@code destinationMac}. */
    static UnsafeBuffer newFrame(final int length, final long destinationMac, final long sourceMac)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        frame.setMemory(0, length, (byte)0);
        putMacs(frame, destinationMac, sourceMac);
        frame.putShort(ETHER_TYPE_OFFSET, ETHER_TYPE, ByteOrder.BIG_ENDIAN);
        return frame;
    }

    /** Writes the destination and source MAC addresses (48 bits each, network order) at the start of a frame. */
    static void putMacs(final MutableDirectBuffer frame, final long destinationMac, final long sourceMac)
    {
        for (int i = 0; i < 6; i++)
        {
            frame.putByte(i, (byte)(destinationMac >>> (40 - 8 * i)));
            frame.putByte(6 + i, (byte)(sourceMac >>> (40 - 8 * i)));
        }
    }

    /** Stamps a frame about to be sent. */
    static void putSendTimes(final MutableDirectBuffer frame, final long intendedSendNs, final long sendNs)
    {
        frame.putLong(INTENDED_SEND_OFFSET, intendedSendNs, STAMP_ORDER);
        frame.putLong(SEND_OFFSET, sendNs, STAMP_ORDER);
    }

    /**
     * Stamps {@code frame} and transmits it on {@code frontend}, pushed at once (a latency run sends one at a time).
     *
     * @return whether the frontend took it ({@code false}: its tx ring or buffers are full).
     */
    static boolean send(
        final VifFrontend frontend, final MutableDirectBuffer frame, final int length, final long intendedSendNs,
        final long sendNs)
    {
        putSendTimes(frame, intendedSendNs, sendNs);
        if (frontend.transmit(frame, 0, length) != VifFrontend.OK)
        {
            return false;
        }
        frontend.flush();
        return true;
    }

    /** @return whether the frame at {@code offset} is one of ours (long enough, our EtherType). */
    static boolean isStamped(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= MIN_FRAME_BYTES && buffer.getShort(offset + ETHER_TYPE_OFFSET, ByteOrder.BIG_ENDIAN) == ETHER_TYPE;
    }
}
