package io.pvnet.engine.offload;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a vif's in-place checksum completion does with a frame it cannot complete: reports it, writes nothing. */
class ChecksumFrameOffloadTest
{
    /** Ethernet + IPv4 (MF set, offset 0: a first fragment) + UDP header whose sum is pseudo-header only + payload. */
    private static byte[] ipv4UdpFirstFragmentMarkedChecksumBlank()
    {
        final ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 8 + 32);
        frame.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short)0x0800);
        frame.put((byte)0x45).put((byte)0).putShort((short)(20 + 8 + 32)).putShort((short)0x1234)
            .putShort((short)0x2000) // MF
            .put((byte)64).put((byte)17).putShort((short)0xBEEF) // a header sum that a rewrite would change
            .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        frame.putShort((short)40000).putShort((short)53).putShort((short)(8 + 32)).putShort((short)0x1111);
        for (int i = 0; i < 32; i++)
        {
            frame.put((byte)i);
        }
        return frame.array();
    }

    @Test
    void shouldLeaveAFragmentMarkedChecksumBlankByteForByte()
    {
        final byte[] original = ipv4UdpFirstFragmentMarkedChecksumBlank();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(original.length + 7));
        buffer.putBytes(7, original);
        assertEquals(FrameOffload.MALFORMED, new ChecksumFrameOffload().completeChecksum(buffer, 7, original.length));
        final byte[] after = new byte[original.length];
        buffer.getBytes(7, after);
        assertArrayEquals(original, after, "the IPv4 header sum and the UDP bytes are as they came");
    }
}
