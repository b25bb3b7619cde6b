package io.pvnet.perf.latency;

/** A latency path that cannot be opened on this build or machine; the message says why and what is available. */
public final class PathUnavailableException extends Exception
{
    private static final long serialVersionUID = 1L;

    public PathUnavailableException(final String message)
    {
        super(message);
    }
}
