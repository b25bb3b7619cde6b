package io.pvnet.engine.port.tap;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.netif.NetifConstants;
import io.pvnet.engine.port.TestResponder;
import io.pvnet.testsupport.TestFrames;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Just enough of a TCP client (192.0.2.2:40000 to 192.0.2.1:5001) to open a connection to a kernel socket and send
 * data as TSO frames ({@code CSUM_PARTIAL}, GSO size) or as complete MSS-sized segments, then close. Frames for
 * other destinations go to {@code next}. Test code; the test thread drives it while the port agent feeds it.
 */
final class TestTcpClient implements FrameSink, org.agrona.concurrent.Agent
{
    static final int LOCAL_PORT = 40000;
    static final int SERVER_PORT = 5001;
    private static final long SERVER_MAC = 0x02_00_00_00_00_01L;
    private static final long CLIENT_MAC = 0x02_00_00_00_00_02L;

    private final FrameSink next;
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(70_000));
    volatile long serverSeq = -1;
    volatile long serverAck = -1;
    volatile boolean finSeen;
    private long seq = 5000;

    private final TapPort port;
    private final int payload;
    private final int mss;
    private final boolean tso;
    private int state;
    private long lastSynNs;
    volatile int sendStatus = -1;
    volatile boolean done;

    /**
     * @param payload bytes to send.
     * @param tso     one TSO frame when true, else complete segments.
     */
    TestTcpClient(final TapPort port, final FrameSink next, final int payload, final int mss, final boolean tso)
    {
        this.port = port;
        this.next = next;
        this.payload = payload;
        this.mss = mss;
        this.tso = tso;
    }

    @Override
    public String roleName()
    {
        return "tcp-client";
    }

    @Override
    public int doWork()
    {
        switch (state)
        {
            case 0 ->
            {
                if (serverSeq >= 0)
                {
                    control(port, 0x10);
                    state = 1;
                }
                else if (System.nanoTime() - lastSynNs > 200_000_000L)
                {
                    lastSynNs = System.nanoTime();
                    seq = 5000;
                    control(port, 0x02);
                }
            }
            case 1 ->
            {
                sendStatus = tso ? sendTso(port, payload, mss) : sendSegments(port, payload, mss);
                state = 2;
            }
            case 2 ->
            {
                if (serverAck == seq)
                {
                    control(port, 0x11);
                    state = 3;
                }
            }
            case 3 ->
            {
                if (finSeen)
                {
                    control(port, 0x10);
                    state = 4;
                    done = true;
                }
            }
            default ->
            {
            }
        }
        return 0;
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        if (length >= 54 && (buffer.getShort(offset + 12, BIG_ENDIAN) & 0xFFFF) == 0x0800 &&
            buffer.getByte(offset + 23) == 6 && (buffer.getShort(offset + 36, BIG_ENDIAN) & 0xFFFF) == LOCAL_PORT)
        {
            final int l4 = offset + 14 + (buffer.getByte(offset + 14) & 0xF) * 4;
            final int tcpFlags = buffer.getByte(l4 + 13) & 0xFF;
            if ((tcpFlags & 0x12) == 0x12)
            {
                serverSeq = (buffer.getInt(l4 + 4, BIG_ENDIAN) & 0xFFFF_FFFFL) + 1;
            }
            if ((tcpFlags & 0x01) != 0)
            {
                finSeen = true;
            }
            serverAck = buffer.getInt(l4 + 8, BIG_ENDIAN) & 0xFFFF_FFFFL;
            return 0;
        }
        return next.onFrame(buffer, offset, length, metadata);
    }

    long seq()
    {
        return seq;
    }

    /** Sends SYN, or the handshake's ACK, with no payload. */
    void control(final TapPort port, final int tcpFlags)
    {
        final int length = build(0, tcpFlags, false);
        port.onFrame(frame, 0, length, FrameMetadata.of(0, 0, 0));
        if ((tcpFlags & 0x03) != 0)
        {
            seq++;
        }
    }

    /** Sends {@code payload} bytes (pattern {@code i * 7 + 3}) as one TSO frame with CSUM_PARTIAL. */
    int sendTso(final TapPort port, final int payload, final int mss)
    {
        final int length = build(payload, 0x18, true);
        final int reason = port.onFrame(frame, 0, length, FrameMetadata.of(FrameFlags.CSUM_PARTIAL, mss,
            NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4));
        seq += payload;
        return reason;
    }

    /** Sends {@code payload} bytes as complete segments of {@code mss}. */
    int sendSegments(final TapPort port, final int payload, final int mss)
    {
        for (int done = 0; done < payload; done += mss)
        {
            final int chunk = Math.min(mss, payload - done);
            final int length = build(chunk, 0x18, false);
            final int reason = port.onFrame(frame, 0, length, FrameMetadata.of(0, 0, 0));
            if (reason != 0)
            {
                return reason;
            }
            seq += chunk;
        }
        return 0;
    }

    private int build(final int payload, final int tcpFlags, final boolean partial)
    {
        final int length = TestFrames.tcp4(frame, 0, -1, payload, partial);
        TestFrames.putMac(frame, 0, SERVER_MAC);
        TestFrames.putMac(frame, 6, CLIENT_MAC);
        // from 192.0.2.2 to 192.0.2.1: swap the builder's addresses, which keeps both sums valid
        frame.putInt(26, 0xC0000202, BIG_ENDIAN);
        frame.putInt(30, 0xC0000201, BIG_ENDIAN);
        frame.putShort(34, (short)LOCAL_PORT, BIG_ENDIAN);
        frame.putShort(36, (short)SERVER_PORT, BIG_ENDIAN);
        frame.putInt(38, (int)seq, BIG_ENDIAN);
        frame.putInt(42, (int)(serverSeq < 0 ? 0 : serverSeq), BIG_ENDIAN);
        frame.putByte(47, (byte)(serverSeq < 0 ? 0x02 : tcpFlags));
        frame.putShort(48, (short)65535, BIG_ENDIAN);
        // recompute the TCP sum over the changed header (full or pseudo-header only)
        final int l4Length = 20 + payload;
        final long pseudo = 0xC000L + 0x0202 + 0xC000 + 0x0201 + 6 + l4Length;
        frame.putShort(50, (short)0);
        final int sum = partial ? ~TestResponder.checksum(frame, 0, 0, pseudo) & 0xFFFF :
            TestResponder.checksum(frame, 34, l4Length, pseudo);
        frame.putShort(50, (short)sum, BIG_ENDIAN);
        return length;
    }

    /** @return the byte sum of {@code payload} bytes of the builder's pattern, as the python server computes it. */
    static long patternSum(final int payloadPerSegment, final int total)
    {
        long sum = 0;
        for (int done = 0; done < total; done += payloadPerSegment)
        {
            final int chunk = Math.min(payloadPerSegment, total - done);
            for (int i = 0; i < chunk; i++)
            {
                sum += (i * 7 + 3) & 0xFF;
            }
        }
        return sum & 0xFFFF_FFFFL;
    }
}
