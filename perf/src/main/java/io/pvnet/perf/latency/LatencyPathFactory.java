package io.pvnet.perf.latency;

import io.pvnet.ring.event.IdleMode;

/** Opens one kind of {@link LatencyPath}; listed in {@link LatencyPaths}. */
public interface LatencyPathFactory
{
    /** @return the name used with {@code --path}, for example {@code ring}. */
    String name();

    /** @return one line for the help text. */
    String description();

    /**
     * @param frameBytes the size of every frame, in bytes.
     * @return a started path.
     * @throws PathUnavailableException when this path cannot run here, with the reason.
     */
    LatencyPath open(int frameBytes) throws PathUnavailableException;

    /**
     * @param frameBytes the size of every frame, in bytes.
     * @param idle       how the path's own threads wait when nothing arrived ({@code --idle}); a latency run spins
     *                   ({@link IdleMode#NOOP}) by default. Paths without threads of their own ignore it.
     * @return a started path.
     * @throws PathUnavailableException when this path cannot run here, with the reason.
     */
    default LatencyPath open(final int frameBytes, final IdleMode idle) throws PathUnavailableException
    {
        return open(frameBytes);
    }
}
