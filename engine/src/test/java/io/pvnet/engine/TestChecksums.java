package io.pvnet.engine;

import io.pvnet.checksum.Checksums;
import org.agrona.DirectBuffer;

/**
 * Internet checksums for tests that build or verify frames by hand, through the checksum module's byte-pair
 * reference implementation ({@link Checksums#reference()}), so a test never shares arithmetic with the code it checks.
 */
public final class TestChecksums
{
    private TestChecksums()
    {
    }

    /** @return the folded sum of {@code buffer[offset, offset + length)} plus {@code initial} (any non-negative sum). */
    public static long sum(final DirectBuffer buffer, final int offset, final int length, final long initial)
    {
        return Checksums.reference().sum(buffer, offset, length, Checksums.fold(initial));
    }

    /** Folds a sum to 16 bits. */
    public static int fold(final long sum)
    {
        return Checksums.fold(sum);
    }
}
