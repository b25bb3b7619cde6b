package io.pvnet.perf.cli.engine;

import io.pvnet.ring.region.Region;

import java.nio.file.Path;

/** How the engine's commands name a region: a path (contains '/'), or a name under {@link Region#DEFAULT_DIRECTORY}. */
final class RegionArgument
{
    private RegionArgument()
    {
    }

    static Path path(final String region)
    {
        return region.indexOf('/') >= 0 ? Path.of(region) : Region.defaultPath(region);
    }

    /** @return the switch's control socket for the region at {@code region}: {@code REGION.sock} beside it. */
    static Path controlSocket(final Path region)
    {
        return region.resolveSibling(region.getFileName() + ".sock");
    }

    /** @return {@code {domid, handle}} of {@code D.H} or {@code xnbD.H}, or null if malformed. */
    static int[] vif(final String text)
    {
        final String body = text.startsWith("xnb") ? text.substring(3) : text;
        final int dot = body.indexOf('.');
        if (dot <= 0 || dot == body.length() - 1)
        {
            return null;
        }
        try
        {
            return new int[] {Integer.parseInt(body.substring(0, dot)), Integer.parseInt(body.substring(dot + 1))};
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }
}
