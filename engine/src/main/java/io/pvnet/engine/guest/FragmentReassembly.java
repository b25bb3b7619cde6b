package io.pvnet.engine.guest;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Reassembles one IP datagram at a time for the guest stack (the guest answers, it does not route): fragments with
 * the same key are copied to their place; the first one's Ethernet + IP header is kept; a fragment of another
 * datagram replaces an unfinished one (the sender retries, the guest keeps no queue). Single-threaded, preallocated.
 */
final class FragmentReassembly
{
    /** The largest datagram payload accepted: an IPv4 total length of 65535 less room for headers. */
    private static final int MAX_PAYLOAD = 65535 - 40;
    private static final int NO_KEY = -1;

    private final UnsafeBuffer data = new UnsafeBuffer(ByteBuffer.allocateDirect(65535 + 256));
    private final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
    private long key = NO_KEY;
    private int bytes;
    private int total = -1;
    private int headerLength;

    /**
     * Copies a fragment's payload into place.
     *
     * @return false when the fragment cannot belong to a datagram of at most 65535 bytes (dropped).
     */
    boolean accept(
        final long fragmentKey, final int fragmentOffset, final int payload, final boolean more,
        final DirectBuffer buffer, final int payloadOffset)
    {
        if (fragmentOffset + payload > MAX_PAYLOAD || payload < 0 || (more && (payload & 7) != 0))
        {
            return false;
        }
        if (fragmentKey != key)
        {
            key = fragmentKey;
            bytes = 0;
            total = -1;
            headerLength = 0;
        }
        data.putBytes(fragmentOffset, buffer, payloadOffset, payload);
        bytes += payload;
        if (!more)
        {
            total = fragmentOffset + payload;
        }
        return true;
    }

    /** Keeps the first fragment's headers ({@code length} bytes from the frame's start). */
    void firstHeader(final DirectBuffer buffer, final int offset, final int length)
    {
        headerLength = length;
        header.putBytes(0, buffer, offset, length);
    }

    /** {@return the kept headers, to patch before {@link #assemble}} */
    MutableDirectBuffer header()
    {
        return header;
    }

    boolean isComplete()
    {
        return total >= 0 && headerLength > 0 && bytes == total;
    }

    /** {@return the length of the reassembled datagram's payload} */
    int payloadLength()
    {
        return total;
    }

    /**
     * Writes the kept headers and the whole payload to {@code frame} at 0 and forgets the datagram; the caller fixes
     * the IP length fields.
     *
     * @return the frame's length.
     */
    int assemble(final MutableDirectBuffer frame)
    {
        frame.putBytes(0, header, 0, headerLength);
        frame.putBytes(headerLength, data, 0, total);
        key = NO_KEY;
        return headerLength + total;
    }
}
