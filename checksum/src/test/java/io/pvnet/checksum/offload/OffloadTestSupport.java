package io.pvnet.checksum.offload;

import io.pvnet.checksum.parse.HeaderParser;
import io.pvnet.checksum.parse.PacketHeaders;
import io.pvnet.checksum.parse.ParseStatus;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Off-heap buffers and parsing for the offload tests. */
final class OffloadTestSupport
{
    private OffloadTestSupport()
    {
    }

    static UnsafeBuffer offHeap(final byte[] bytes, final int offset)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length + offset));
        buffer.putBytes(offset, bytes);
        return buffer;
    }

    static PacketHeaders parsed(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final PacketHeaders headers = new PacketHeaders();
        assertEquals(ParseStatus.OK, HeaderParser.parse(buffer, offset, length, headers));
        return headers;
    }

    static byte[] bytes(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }
}
