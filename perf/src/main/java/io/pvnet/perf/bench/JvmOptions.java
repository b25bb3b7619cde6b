package io.pvnet.perf.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM flags pvnet needs, as declared once in the parent pom ({@code pvnet.jvm.flags}) and filtered into the jar.
 * Used for JMH forks and for the second JVM of cross-process benchmarks.
 */
public final class JvmOptions
{
    private static final String RESOURCE = "/io/pvnet/perf/jvm.options";

    private JvmOptions()
    {
    }

    /** @return the flags, one per element. */
    public static List<String> flags()
    {
        try (InputStream in = JvmOptions.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the jar");
            }
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return Arrays.stream(text.split("\\s+")).filter(s -> !s.isEmpty()).toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
