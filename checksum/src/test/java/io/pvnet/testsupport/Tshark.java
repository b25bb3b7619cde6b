package io.pvnet.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tshark (Wireshark) as the judge of what pvnet writes: reads capture files back with checksum validation on for
 * IPv4, TCP, UDP and ICMP, or runs it with any arguments. Tests skip with the reason when it is not installed.
 */
public final class Tshark
{
    private Tshark()
    {
    }

    /** @return null when tshark runs here, else why not. */
    public static String unavailableReason()
    {
        try
        {
            return Netns.run(20, "tshark", "-v").exitCode() == 0 ? null : "tshark does not run";
        }
        catch (final RuntimeException ex)
        {
            return "tshark is missing";
        }
    }

    /** @return one line per packet with the given fields ({@code -T fields -e F...}), checksums validated. */
    public static List<String> fields(final Path file, final String... fields)
    {
        final List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-T", "fields"));
        for (final String field : fields)
        {
            command.add("-e");
            command.add(field);
        }
        final Netns.Result result = Netns.run(30, command.toArray(String[]::new)).check();
        final List<String> lines = new ArrayList<>();
        for (final String line : result.output().split("\n"))
        {
            if (!line.isBlank() && !line.startsWith("Running as user"))
            {
                lines.add(line);
            }
        }
        return lines;
    }

    /** @return the packets tshark flags with an expert error (bad checksum, malformed), as its one-line summaries. */
    public static List<String> errors(final Path file)
    {
        final Netns.Result result = Netns.run(30, "tshark", "-n", "-r", file.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-Y", "_ws.expert.severity >= error || _ws.malformed").check();
        final List<String> lines = new ArrayList<>();
        for (final String line : result.output().split("\n"))
        {
            if (!line.isBlank() && !line.startsWith("Running as user"))
            {
                lines.add(line);
            }
        }
        return lines;
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
