package io.pvnet.ring.region;

import java.nio.file.Path;

/**
 * A region cannot be created, opened or extended: the message names the file and the problem
 * (for example {@code /dev/shm/pvnet-a: truncated: descriptor totalLength=1048576 but file length=4096}).
 * Thrown at configuration time only, never from a data path.
 */
public final class RegionException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /**
     * A configuration-time failure of a region.
     * @param path the region file, or {@code null} for anonymous memory.
     * @param problem what is wrong with it.
     */
    public RegionException(final Path path, final String problem)
    {
        super((path == null ? "anonymous region" : path.toString()) + ": " + problem);
        this.path = path;
    }

    /**
     * A configuration-time failure of a region caused by an I/O error.
     * @param path the region file, or {@code null} for anonymous memory.
     * @param problem what is wrong with it.
     * @param cause the I/O error behind it.
     */
    public RegionException(final Path path, final String problem, final Throwable cause)
    {
        super((path == null ? "anonymous region" : path.toString()) + ": " + problem, cause);
        this.path = path;
    }

    /** {@return the region file, or null for an anonymous region} */
    public Path path()
    {
        return path;
    }
}
