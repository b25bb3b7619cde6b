package io.pvnet.pci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs the real lspci (read only) and compares its decode with pvnet's. */
public final class Lspci
{
    private static final String[] NOT_DECODED_BY_PVNET = {
        "\tKernel modules:", "\tNUMA node:", "\tIOMMU group:", "\tPhysical Slot:", "\tDevice tree node:"};

    private Lspci()
    {
    }

    /** The lspci binary, or null. */
    public static String binary()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
        {
            for (final String name : new String[] {"lspci"})
            {
                final Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate))
                {
                    return candidate.toString();
                }
            }
        }
        for (final String fallback : new String[] {"/usr/bin/lspci", "/usr/sbin/lspci", "/sbin/lspci"})
        {
            if (Files.isExecutable(Path.of(fallback)))
            {
                return fallback;
            }
        }
        return null;
    }

    /** Runs lspci with {@code args}; its stdout (stderr, e.g. libkmod noise, is dropped). */
    public static String run(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(binary());
        command.addAll(Arrays.asList(args));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(20, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            fail("lspci timed out: " + command);
        }
        assertEquals(0, process.exitValue(), "lspci failed: " + command);
        return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * Every line pvnet prints appears in lspci's output in the same order; every region, ROM and capability header line
     * lspci prints appears in pvnet's; and when {@code exact}, the outputs are equal.
     */
    public static void assertMatches(final String ours, final String theirs, final boolean exact)
    {
        final List<String> theirLines = new ArrayList<>();
        for (final String raw : theirs.split("\n", -1))
        {
            // the prog-if name comes from pci.ids, which pvnet does not read
            final String line = raw.replaceAll(" \\(prog-if 00 \\[[^]]*]\\)$", "")
                .replaceAll(" \\(prog-if ([0-9a-f]{2}) \\[[^]]*]\\)$", " (prog-if $1)");
            boolean skip = false;
            for (final String prefix : NOT_DECODED_BY_PVNET)
            {
                skip |= line.startsWith(prefix);
            }
            if (!skip)
            {
                theirLines.add(line);
            }
        }
        final List<String> ourLines = Arrays.asList(ours.split("\n", -1));
        if (exact)
        {
            assertEquals(String.join("\n", theirLines), String.join("\n", ourLines));
            return;
        }
        int at = 0;
        for (final String line : ourLines)
        {
            while (at < theirLines.size() && !theirLines.get(at).equals(line))
            {
                at++;
            }
            assertTrue(at < theirLines.size(), "pvnet line not in lspci's output (in order): '" + line +
                "'\n--- pvnet\n" + ours + "\n--- lspci\n" + theirs);
            at++;
        }
        for (final String line : theirLines)
        {
            if (line.startsWith("\tCapabilities:") || line.startsWith("\tRegion") ||
                line.startsWith("\tExpansion ROM") || line.startsWith("\tControl:") || line.startsWith("\tStatus:") ||
                line.startsWith("\t\tVector table:") || line.startsWith("\t\tPBA:"))
            {
                assertTrue(ourLines.contains(line), "lspci line missing from pvnet's decode: '" + line +
                    "'\n--- pvnet\n" + ours + "\n--- lspci\n" + theirs);
            }
        }
    }
}
