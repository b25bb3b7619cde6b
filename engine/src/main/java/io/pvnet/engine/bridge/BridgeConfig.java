package io.pvnet.engine.bridge;

import io.pvnet.engine.offload.FrameOffload;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * How a {@link Bridge} is built.
 *
 * @param maxPorts        most ports, {@code 1..4096}.
 * @param macTableEntries most stations learned, see {@link MacTable}.
 * @param agingNs         how long a learned station lives without traffic (Linux bridge default 300 s).
 * @param clock           the bridge clock, read once per duty cycle (inject a test clock to control aging).
 * @param offload         the software offload ({@link FrameOffload#finish}) for ports that cannot take a frame as it
 *                        is; one instance for this bridge alone.
 */
public record BridgeConfig(int maxPorts, int macTableEntries, long agingNs, NanoClock clock, FrameOffload offload)
{
    /** Linux's default ageing time, 300 s. */
    public static final long DEFAULT_AGING_NS = 300_000_000_000L;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if {@code maxPorts} is out of range or the clock or offload is missing.
     */
    public BridgeConfig
    {
        if (maxPorts < 1 || maxPorts > 4096)
        {
            throw new IllegalArgumentException("maxPorts=" + maxPorts + " must be in 1..4096");
        }
        if (clock == null || offload == null)
        {
            throw new IllegalArgumentException("clock=" + clock + " offload=" + offload + " must be given");
        }
    }

    /**
     * {@return 64 ports, 65536 stations, 300 s aging, the system clock, and {@code offload}}
     *
     * @param offload the bridge's own software offload, e.g. a new {@code ChecksumFrameOffload}.
     */
    public static BridgeConfig defaults(final FrameOffload offload)
    {
        return new BridgeConfig(64, 65536, DEFAULT_AGING_NS, SystemNanoClock.INSTANCE, offload);
    }
}
