package io.pvnet.perf.cli;

import io.pvnet.checksum.Checksums;
import io.pvnet.checksum.offload.FrameOffloader;
import io.pvnet.checksum.offload.PcapOffload;
import io.pvnet.checksum.offload.UdpOversizeMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ./pvnet offload --in IN.pcap --out OUT.pcap[ng] [--format pcap|pcapng] [--mtu N] [--mss N]
 * [--udp fragment|segment]}: applies to each Ethernet frame of a pcap/pcapng file what the backend does to a guest
 * frame marked csum_blank bound for a port that cannot offload (see {@link FrameOffloader}), and writes a pcap, or a
 * pcapng when the output's name ends {@code .pcapng} or {@code --format pcapng} says so. Counts by reason go to stderr. Exits 1 only when a
 * file cannot be read or written, 2 on bad options.
 */
@Command(
    name = "offload",
    mixinStandardHelpOptions = true,
    description = {
        "Complete checksums, split TSO and oversize UDP of every frame in a pcap, as xnb does for a non-offloading port.",
        "Frames it cannot handle pass through unchanged and are counted by reason on stderr."})
public final class OffloadCommand implements Callable<Integer>
{
    @Option(names = "--in", required = true, paramLabel = "IN.pcap", description = "Input: libpcap or pcapng file.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.pcap",
        description = "Output file, nanosecond timestamps: pcapng when its name ends .pcapng, else libpcap (see --format).")
    Path out;

    @Option(names = "--format", paramLabel = "FORMAT",
        description = "Output format: pcap or pcapng (default: pcapng when the name given to --out ends in .pcapng, " +
            "else pcap).")
    String format;

    @Option(names = "--mtu", paramLabel = "N", defaultValue = "1500", description = "Egress MTU in bytes (IP packet), default ${DEFAULT-VALUE}.")
    int mtu;

    @Option(names = "--mss", paramLabel = "N", defaultValue = "0",
        description = "TCP MSS for TSO (default: the MTU minus each packet's IP and TCP headers).")
    int mss;

    @Option(names = "--udp", paramLabel = "MODE", defaultValue = "fragment",
        description = "UDP over the MTU: fragment (IP fragments, default) or segment (UDP_SEGMENT-style datagrams).")
    UdpOversizeMode udp;

    @Option(names = "--checksum", paramLabel = "VARIANT", defaultValue = "best",
        description = "Checksum variant: reference, long, vector or best (default).")
    String checksum;

    @Override
    public Integer call()
    {
        final FrameOffloader offloader;
        try
        {
            offloader = new FrameOffloader(Checksums.byName(checksum), mtu, mss, udp);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("pvnet offload: " + ex.getMessage());
            return 2;
        }
        final PcapOffload.Format outputFormat;
        if (format == null)
        {
            outputFormat = PcapOffload.Format.byName(out);
        }
        else if (format.equalsIgnoreCase("pcap") || format.equalsIgnoreCase("pcapng"))
        {
            outputFormat = PcapOffload.Format.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        }
        else
        {
            System.err.println("pvnet offload: --format=" + format + " must be pcap or pcapng");
            return 2;
        }
        final PcapOffload run = new PcapOffload(offloader);
        if (java.nio.file.Files.isDirectory(in) || java.nio.file.Files.isDirectory(out))
        {
            // mapping a directory fails with a bare "No such device": say what is wrong instead
            System.err.println("pvnet offload: " + (java.nio.file.Files.isDirectory(in) ? in : out) + ": is a directory");
            return 1;
        }
        final java.nio.file.Path outDirectory = out.toAbsolutePath().getParent();
        if (outDirectory != null && !java.nio.file.Files.isDirectory(outDirectory))
        {
            // the output is written to a temporary file there first: name the directory, not that file
            System.err.println("pvnet offload: --out " + out + ": directory " + outDirectory + " does not exist");
            return 1;
        }
        try
        {
            run.run(in, out, outputFormat);
        }
        catch (final IOException ex)
        {
            System.err.println("pvnet offload: " + reason(ex));
            return 1;
        }
        run.printSummary(System.err);
        return 0;
    }

    /** @return the file and why it cannot be read or written, in words ({@code in.pcap: no such file}). */
    static String reason(final IOException ex)
    {
        if (ex instanceof java.nio.file.FileSystemException fs && fs.getFile() != null)
        {
            final String why = switch (ex)
            {
                case java.nio.file.NoSuchFileException ignore -> "no such file or directory";
                case java.nio.file.AccessDeniedException ignore -> "permission denied";
                case java.nio.file.FileSystemException other when other.getReason() != null -> other.getReason();
                default -> ex.getClass().getSimpleName();
            };
            return fs.getFile() + ": " + (java.nio.file.Files.isDirectory(java.nio.file.Path.of(fs.getFile())) ?
                "is a directory" : why);
        }
        return ex.getMessage() == null ? ex.toString() : ex.getMessage();
    }
}
