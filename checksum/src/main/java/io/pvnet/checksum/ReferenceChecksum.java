package io.pvnet.checksum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * RFC 1071 section 4.1 as written: adds big-endian 16-bit words one at a time, pads an odd byte with zero. The slow,
 * obviously correct variant every other one is tested against.
 */
public final class ReferenceChecksum extends InternetChecksum
{
    /** The reference variant (also {@link Checksums#reference()}); stateless, so one instance serves every thread. */
    public ReferenceChecksum()
    {
    }

    @Override
    public String name()
    {
        return "reference";
    }

    @Override
    protected int partial(final MemorySegment segment, final long offset, final int length)
    {
        long sum = 0;
        int i = 0;
        for (; i + 1 < length; i += 2)
        {
            sum += ((segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF) << 8) |
                (segment.get(ValueLayout.JAVA_BYTE, offset + i + 1) & 0xFF);
        }
        if (i < length)
        {
            sum += (segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF) << 8;
        }
        return Checksums.fold(sum);
    }

    @Override
    protected int copyPartial(
        final MemorySegment src, final long srcOffset, final MemorySegment dst, final long dstOffset, final int length)
    {
        MemorySegment.copy(src, srcOffset, dst, dstOffset, length);
        return partial(dst, dstOffset, length);
    }
}
