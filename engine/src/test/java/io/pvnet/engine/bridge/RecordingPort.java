package io.pvnet.engine.bridge;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.engine.port.Port;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/** A port that keeps a copy of every frame the bridge gives it (test code). */
public final class RecordingPort implements Port
{
    public record Frame(byte[] bytes, int flags, int gsoSize, int gsoType, int checksumStart)
    {
    }

    final String name;
    final int offloads;
    final int mtu;
    public final List<Frame> frames = new ArrayList<>();
    public int refuseWith;
    public boolean recording = true;
    long count;

    public RecordingPort(final String name, final int offloads, final int mtu)
    {
        this.name = name;
        this.offloads = offloads;
        this.mtu = mtu;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public int offloads()
    {
        return offloads;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        if (refuseWith != 0)
        {
            return refuseWith;
        }
        count++;
        if (recording)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            frames.add(new Frame(bytes, metadata.flags(), metadata.gsoSize(), metadata.gsoType(),
                metadata.checksumStart()));
        }
        return 0;
    }

    Frame last()
    {
        return frames.get(frames.size() - 1);
    }

    int take()
    {
        final int n = frames.size();
        frames.clear();
        return n;
    }
}
