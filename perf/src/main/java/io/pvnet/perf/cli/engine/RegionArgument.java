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

    /**
     * @param region the region as the user gave it.
     * @return a hint naming the fix when nothing is at the region's path (no switch or vif-run made it), else "".
     */
    static String missingHint(final String region)
    {
        return java.nio.file.Files.exists(path(region), java.nio.file.LinkOption.NOFOLLOW_LINKS) ? "" :
            " (is a pvnet switch or vif-run running on it?)";
    }

    /**
     * @return a hint for a control socket nobody listens on any more (a switch or vif-run killed with -9 leaves it),
     *         else "".
     */
    static String notRunningHint(final RuntimeException ex)
    {
        return ex instanceof io.pvnet.ring.share.LinuxException linux &&
            linux.errno() == io.pvnet.ring.share.LinuxCalls.ECONNREFUSED ?
            " (no switch or vif-run listens there: it stopped or died)" : "";
    }

    /**
     * The one way every command reads a vif's name: as dom0 names it, {@code vif1.0}, and also {@code vif1} (handle 0),
     * {@code 1.0} and {@code xnb1.0}.
     *
     * @return {@code {domid, handle}}, or null if malformed.
     */
    static int[] vif(final String text)
    {
        final String body = text.startsWith("xnb") ? text.substring(3) : text.startsWith("vif") ? text.substring(3) : text;
        final int dot = body.indexOf('.');
        if (dot == body.length() - 1 || dot == 0 || body.isEmpty())
        {
            return null;
        }
        try
        {
            final int domid = Integer.parseInt(dot < 0 ? body : body.substring(0, dot));
            final int handle = dot < 0 ? 0 : Integer.parseInt(body.substring(dot + 1));
            if (domid < 0 || handle < 0 || (dot < 0 && !text.startsWith("vif")))
            {
                return null;
            }
            return new int[] {domid, handle};
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    /** @return the vif's name as dom0 shows it, {@code vif1.0}, for any form {@link #vif} reads; else the text as is. */
    static String vifName(final String text)
    {
        final int[] id = vif(text);
        return id == null ? text : "vif" + id[0] + "." + id[1];
    }
}
