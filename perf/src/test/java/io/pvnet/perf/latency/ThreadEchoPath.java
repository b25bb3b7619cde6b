package io.pvnet.perf.latency;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * A test path with a real echo thread: frames go out through one Agrona ring buffer, an echo thread stamps and copies
 * them into a second, the sender polls that. Stands in for the ring path in harness tests.
 */
final class ThreadEchoPath implements LatencyPath
{
    private static final int CAPACITY = 64 * 1024;
    private static final int MESSAGE_TYPE = 1;

    private final OneToOneRingBuffer out = newRing();
    private final OneToOneRingBuffer back = newRing();
    private final MutableDirectBuffer frame;
    private final MutableDirectBuffer echo;
    private final long[] stamps = new long[1];
    private final int frameBytes;
    private final Thread echoThread;
    private volatile boolean running = true;
    private FrameReceiver receiver;

    ThreadEchoPath(final int frameBytes)
    {
        this.frameBytes = Math.max(24, frameBytes);
        this.frame = new UnsafeBuffer(new byte[this.frameBytes]);
        this.echo = new UnsafeBuffer(new byte[this.frameBytes]);
        echoThread = Thread.ofPlatform().daemon().name("test-echo").start(this::echoLoop);
    }

    static LatencyPathFactory factory()
    {
        return new LatencyPathFactory()
        {
            @Override
            public String name()
            {
                return "echo";
            }

            @Override
            public String description()
            {
                return "test echo thread";
            }

            @Override
            public LatencyPath open(final int frameBytes)
            {
                return new ThreadEchoPath(frameBytes);
            }
        };
    }

    private static OneToOneRingBuffer newRing()
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(CAPACITY + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    }

    private void echoLoop()
    {
        while (running)
        {
            if (out.read(this::onOut, 64) == 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    private void onOut(final int type, final DirectBuffer buffer, final int index, final int length)
    {
        echo.putBytes(0, buffer, index, length);
        echo.putLong(16, System.nanoTime());
        while (running && !back.write(MESSAGE_TYPE, echo, 0, length))
        {
            Thread.onSpinWait();
        }
    }

    @Override
    public String name()
    {
        return "echo";
    }

    @Override
    public String[] stageNames()
    {
        return new String[] {"out", "back"};
    }

    @Override
    public boolean offer(final long intendedSendNs, final long sendNs)
    {
        frame.putLong(0, intendedSendNs);
        frame.putLong(8, sendNs);
        return out.write(MESSAGE_TYPE, frame, 0, frameBytes);
    }

    @Override
    public int poll(final FrameReceiver receiver)
    {
        this.receiver = receiver;
        return back.read(this::onBack, 64);
    }

    private void onBack(final int type, final DirectBuffer buffer, final int index, final int length)
    {
        stamps[0] = buffer.getLong(index + 16);
        receiver.onFrame(buffer.getLong(index), buffer.getLong(index + 8), stamps);
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            echoThread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
