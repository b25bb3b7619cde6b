package io.pvnet.engine.example;

import io.pvnet.engine.TestChecksums;
import io.pvnet.engine.FrameHandler;
import io.pvnet.engine.VifFrontend;
import io.pvnet.engine.guest.GuestStack;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/** The example's client: resolves the server by ARP, then sends UDP datagrams to its echo port, one at a time. */
final class EchoClient implements FrameHandler
{
    private final GuestStack stack;
    private final VifFrontend frontend;
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
    private long nextArpNs;
    private int sent;
    private long echoes;

    EchoClient(final GuestStack stack, final VifFrontend frontend)
    {
        this.stack = stack;
        this.frontend = frontend;
    }

    void step(final int server, final int count)
    {
        final long serverMac = stack.neighbourMac4(server);
        if (serverMac < 0)
        {
            if (System.nanoTime() - nextArpNs >= 0)
            {
                stack.sendArpRequest(server);
                nextArpNs = System.nanoTime() + 100_000_000L;
            }
            return;
        }
        if (sent < count && sent == echoes)
        {
            frame.putShort(0, (short)(serverMac >>> 32), BIG_ENDIAN);
            frame.putInt(2, (int)serverMac, BIG_ENDIAN);
            frame.putShort(6, (short)(stack.mac() >>> 32), BIG_ENDIAN);
            frame.putInt(8, (int)stack.mac(), BIG_ENDIAN);
            frame.putShort(12, (short)0x0800, BIG_ENDIAN);
            frame.putLong(14, 0x4500_0024_0000_4000L, BIG_ENDIAN);     // IPv4, 36 bytes, DF
            frame.putShort(22, (short)0x4011, BIG_ENDIAN);              // TTL 64, UDP
            frame.putInt(26, stack.ipv4(), BIG_ENDIAN);
            frame.putInt(30, server, BIG_ENDIAN);
            frame.putShort(24, (short)0);
            frame.putShort(24, (short)~TestChecksums.fold(TestChecksums.sum(frame, 14, 20, 0)), BIG_ENDIAN);
            frame.putInt(34, (40_000 << 16) | GuestStack.ECHO_PORT, BIG_ENDIAN);
            frame.putInt(38, 16 << 16, BIG_ENDIAN);                  // length 16, checksum 0 (none, allowed in IPv4)
            frame.putLong(42, sent, BIG_ENDIAN);
            if (frontend.transmit(frame, 0, 50, 0, 0, 0) == VifFrontend.OK)
            {
                sent++;
            }
        }
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize)
    {
        if (length >= 50 && buffer.getByte(offset + 23) == 17 &&
            (buffer.getShort(offset + 34, BIG_ENDIAN) & 0xFFFF) == GuestStack.ECHO_PORT &&
            buffer.getLong(offset + 42, BIG_ENDIAN) == echoes)
        {
            echoes++;
        }
    }

    long echoes()
    {
        return echoes;
    }
}
