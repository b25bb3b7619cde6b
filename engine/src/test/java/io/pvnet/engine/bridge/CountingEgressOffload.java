package io.pvnet.engine.bridge;

import io.pvnet.checksum.offload.OutputFrames;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** The checksum module's egress offload, counting its calls (test code). */
final class CountingEgressOffload implements EgressOffload
{
    private final ChecksumEgressOffload offload;
    int calls;

    CountingEgressOffload()
    {
        this(new ChecksumEgressOffload());
    }

    CountingEgressOffload(final ChecksumEgressOffload offload)
    {
        this.offload = offload;
    }

    @Override
    public int finish(
        final DirectBuffer src, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType, final int mtu, final MutableDirectBuffer out, final OutputFrames frames)
    {
        calls++;
        return offload.finish(src, offset, length, flags, gsoSize, gsoType, mtu, out, frames);
    }
}
