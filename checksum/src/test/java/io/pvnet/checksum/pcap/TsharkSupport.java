package io.pvnet.checksum.pcap;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finds and runs tshark for the tests that let Wireshark judge our output. */
public final class TsharkSupport
{
    private TsharkSupport()
    {
    }

    /** @return the tshark path; skips the calling test with the reason when it is not installed. */
    public static String tsharkOrSkip()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
        {
            final File candidate = new File(dir, "tshark");
            if (candidate.canExecute())
            {
                return candidate.getPath();
            }
        }
        Assumptions.abort("tshark is not installed (apt-get install tshark); Wireshark cannot check the output");
        return null;
    }

    /** Runs tshark with {@code args}, asserts exit 0 within 60 s, returns stdout. */
    public static String run(final String tshark, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(tshark);
        command.add("-n");
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "tshark finished");
        assertEquals(0, process.exitValue(), "tshark exit status for " + command);
        return new String(out, StandardCharsets.UTF_8);
    }
}
