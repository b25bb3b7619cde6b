package io.pvnet.perf.harness;

import io.pvnet.ring.event.IdleMode;
import picocli.CommandLine;

/**
 * Converts an {@code --idle} option value (busy-spin, backoff, sleep, adaptive, yield, park, noop) to an
 * {@link IdleMode}, for every command that takes one.
 */
public final class IdleConverter implements CommandLine.ITypeConverter<IdleMode>
{
    /**
     * The end of every {@code --idle} description that lists the four modes of the issue first: the three others it
     * takes too, so a command's help lists every value it accepts.
     */
    public static final String MEASURING_MODES = "for measurements also yield (Thread.yield), park (50 us parks) and " +
        "noop (a spin without PAUSE), as bench and latency take.";

    @Override
    public IdleMode convert(final String value)
    {
        try
        {
            return IdleMode.fromName(value.trim());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not one of busy-spin, backoff, sleep, adaptive, yield, park, noop");
        }
    }
}
