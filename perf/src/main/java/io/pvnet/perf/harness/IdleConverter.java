package io.pvnet.perf.harness;

import io.pvnet.ring.event.IdleMode;
import picocli.CommandLine;

/**
 * Converts an {@code --idle} option value (busy-spin, backoff, sleep, adaptive, yield, park, noop) to an
 * {@link IdleMode}, for every command that takes one.
 */
public final class IdleConverter implements CommandLine.ITypeConverter<IdleMode>
{
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
