package io.pvnet.engine.port;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads capture files back with tshark, checksum validation on for IPv4, TCP, UDP and ICMP. */
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
}
