package io.pvnet.perf;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and git commit this build of pvnet was made from, read from {@code build-info.properties}, which the
 * perf module's build writes (Maven's project version; the commit from {@code git describe --always --dirty
 * --abbrev=7 --exclude=*} run in the checkout being built, so a linked git worktree names its own HEAD, and a build
 * from a tree whose tracked files differ from HEAD is marked as git marks it, {@code 94d69d6-dirty}). A build from a
 * tree without git says {@code unknown} for the commit. Immutable.
 *
 * @param version the Maven version, for example {@code 0.1.0-SNAPSHOT}.
 * @param commit  the abbreviated commit id, with {@code -dirty} for a build from uncommitted changes, or
 *                {@code unknown}.
 * @param built   when the jar was built (UTC), or {@code unknown}.
 */
public record BuildInfo(String version, String commit, String built)
{
    private static final String RESOURCE = "build-info.properties";
    private static final BuildInfo CURRENT = load();

    /** @return the build of the running jar (or of the classes directory in tests). */
    public static BuildInfo current()
    {
        return CURRENT;
    }

    /** @return {@code 0.1.0-SNAPSHOT (commit 94d69d6, built 2026-12-06T05:36:06Z)}. */
    public String describe()
    {
        return version + " (commit " + commit + ("unknown".equals(built) ? "" : ", built " + built) + ")";
    }

    private static BuildInfo load()
    {
        final Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE))
        {
            if (in != null)
            {
                properties.load(in);
            }
        }
        catch (final IOException ignore)
        {
            // an unreadable resource reads as an unknown build
        }
        return new BuildInfo(
            value(properties, "version"), value(properties, "commit"), value(properties, "built"));
    }

    private static String value(final Properties properties, final String key)
    {
        final String value = properties.getProperty(key, "").trim();
        // an unfiltered placeholder means the build did not know the value (no git, an IDE build)
        return value.isEmpty() || value.startsWith("${") ? "unknown" : value;
    }
}
