package io.pvnet.perf.latency;

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
}
