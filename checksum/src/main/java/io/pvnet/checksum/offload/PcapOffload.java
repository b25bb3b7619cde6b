package io.pvnet.checksum.offload;

import io.pvnet.checksum.parse.ParseStatus;
import io.pvnet.checksum.pcap.PcapReader;
import io.pvnet.checksum.pcap.PcapWriter;
import io.pvnet.checksum.pcap.PcapngWriter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Runs a {@link FrameOffloader} over every frame of a pcap or pcapng file and writes the result as a pcap or, for an
 * output named {@code *.pcapng} (or asked for), a pcapng file with one interface block per link type met (the
 * {@code ./pvnet offload} tool). Frames of another link type than Ethernet pass unchanged. Counts every outcome by
 * status and parse reason. Not thread-safe.
 */
public final class PcapOffload
{
    private static final int OUTPUT_BYTES = 4 << 20;

    private final FrameOffloader offloader;
    private final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(OUTPUT_BYTES));
    private final OutputFrames frames = new OutputFrames(8192);
    private final long[] statusCounts = new long[OffloadStatus.values().length];
    private final long[] parseCounts = new long[ParseStatus.values().length];
    private long framesIn;
    private long framesOut;
    private long notEthernet;
    private long snapped;
    /** Frames passed unchanged per link type other than Ethernet, by LINKTYPE_ value. */
    private final java.util.TreeMap<Integer, long[]> otherLinkTypes = new java.util.TreeMap<>();

    /**
     * Applies {@code offloader} to every frame of a capture, counting what became of each.
     * @param offloader what to apply to each frame.
     */
    public PcapOffload(final FrameOffloader offloader)
    {
        this.offloader = offloader;
    }

    /**
     * Reads {@code in}, writes {@code outFile}. A regular output file (or the file a symbolic link names) is written
     * to an unpredictable temporary file in the same directory and renamed over it only when complete, so a failure
     * leaves the old file as it was; a device or FIFO (for example {@code /dev/stdout}) is written directly.
     *
     * @param in the capture to read (pcap or pcapng).
     * @param outFile the pcap to write.
     * @throws IOException when a file cannot be read or written, the input is damaged, {@code outFile} is the same
     *                     file as {@code in} (by identity: hard links and symbolic links included) or a directory.
     */
    public void run(final Path in, final Path outFile) throws IOException
    {
        run(in, outFile, Format.byName(outFile));
    }

    /** The file format written. */
    public enum Format
    {
        /** libpcap, nanosecond timestamps, Ethernet link type. */
        PCAP,
        /** pcapng: a section header, an interface block per link type, enhanced packet blocks with nanoseconds. */
        PCAPNG;

        /**
         * {@return the format a file's name asks for: pcapng for a name ending {@code .pcapng}, else pcap}
         *
         * @param file the output file.
         */
        public static Format byName(final Path file)
        {
            final Path name = file.getFileName();
            return name != null && name.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".pcapng") ? PCAPNG : PCAP;
        }
    }

    /**
     * As {@link #run(Path, Path)}, writing {@code format}.
     *
     * @param in      the capture to read (pcap or pcapng).
     * @param outFile the capture to write.
     * @param format  pcap or pcapng.
     * @throws IOException as {@link #run(Path, Path)}.
     */
    public void run(final Path in, final Path outFile, final Format format) throws IOException
    {
        final Path target = Files.isSymbolicLink(outFile) ? outFile.toRealPath() : outFile;
        if (Files.exists(target))
        {
            if (Files.exists(in) && Files.isSameFile(in, target))
            {
                throw new IOException("--out " + outFile + " is the same file as --in " + in +
                    "; write to another file (it would destroy the input)");
            }
            if (Files.isDirectory(target))
            {
                throw new IOException("--out " + outFile + " is a directory");
            }
            if (!Files.isRegularFile(target))
            {
                try (PcapReader reader = new PcapReader(in); Sink writer = Sink.create(target, format))
                {
                    copy(reader, writer);
                }
                return;
            }
        }
        final Path directory = target.toAbsolutePath().getParent();
        final Path temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
        boolean done = false;
        try
        {
            try (PcapReader reader = new PcapReader(in); Sink writer = Sink.create(temporary, format))
            {
                copy(reader, writer);
            }
            Files.setPosixFilePermissions(temporary, Files.exists(target) ?
                Files.getPosixFilePermissions(target) : PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        }
        finally
        {
            if (!done)
            {
                Files.deleteIfExists(temporary);
            }
        }
    }

    private void copy(final PcapReader reader, final Sink writer) throws IOException
    {
        while (reader.next())
        {
            framesIn++;
            final int offset = reader.frameOffset();
            final int length = reader.capturedLength();
            if (reader.linkType() != PcapWriter.LINKTYPE_ETHERNET || length != reader.originalLength())
            {
                // not an Ethernet frame, or cut by the capture's snap length: nothing can be completed
                notEthernet++;
                if (reader.linkType() != PcapWriter.LINKTYPE_ETHERNET)
                {
                    otherLinkTypes.computeIfAbsent(reader.linkType(), k -> new long[1])[0]++;
                }
                else
                {
                    snapped++;
                }
                writer.write(reader.linkType(), reader.buffer(), offset, length, reader.timestampNanos());
                framesOut++;
                continue;
            }
            final OffloadStatus status = offloader.process(
                reader.buffer(), offset, length, out, 0, out.capacity(), frames);
            statusCounts[status.ordinal()]++;
            if (status == OffloadStatus.MALFORMED)
            {
                parseCounts[offloader.parseStatus().ordinal()]++;
            }
            if (frames.count() == 0)
            {
                writer.write(PcapWriter.LINKTYPE_ETHERNET, reader.buffer(), offset, length, reader.timestampNanos());
                framesOut++;
                continue;
            }
            for (int i = 0; i < frames.count(); i++)
            {
                writer.write(PcapWriter.LINKTYPE_ETHERNET, out, frames.offset(i), frames.length(i),
                    reader.timestampNanos());
                framesOut++;
            }
        }
    }

    /** {@return frames read} */
    public long framesIn()
    {
        return framesIn;
    }

    /** {@return frames written} */
    public long framesOut()
    {
        return framesOut;
    }

    /**
     * {@return how many frames ended with {@code status}}
     * @param status an outcome.
     */
    public long count(final OffloadStatus status)
    {
        return statusCounts[status.ordinal()];
    }

    /**
     * {@return how many frames were malformed for {@code reason}}
     * @param reason a parse failure.
     */
    public long count(final ParseStatus reason)
    {
        return parseCounts[reason.ordinal()];
    }

    /** {@return frames passed unchanged because they were not whole Ethernet frames (link type or snap length)} */
    public long notEthernet()
    {
        return notEthernet;
    }

    /** {@return frames cut by the capture's snap length (Ethernet, but not whole)} */
    public long snapped()
    {
        return snapped;
    }

    /**
     * {@return frames of link type {@code linkType} (a LINKTYPE_ value other than Ethernet)}
     * @param linkType a LINKTYPE_ value.
     */
    public long linkTypeCount(final int linkType)
    {
        final long[] count = otherLinkTypes.get(linkType);
        return count == null ? 0 : count[0];
    }

    /**
     * {@return what a LINKTYPE_ value is, as tcpdump's list names it, for the link types people meet}
     * @param linkType a LINKTYPE_ value.
     */
    public static String linkTypeName(final int linkType)
    {
        return switch (linkType)
        {
            case 0 -> "LINKTYPE_NULL, BSD loopback";
            case 101 -> "LINKTYPE_RAW, raw IP without a link header";
            case 105 -> "LINKTYPE_IEEE802_11, Wi-Fi";
            case 113 -> "LINKTYPE_LINUX_SLL, Linux cooked capture (tcpdump -i any); capture one interface for Ethernet";
            case 127 -> "LINKTYPE_IEEE802_11_RADIOTAP, Wi-Fi with radiotap";
            case 228 -> "LINKTYPE_IPV4, raw IPv4";
            case 229 -> "LINKTYPE_IPV6, raw IPv6";
            case 276 -> "LINKTYPE_LINUX_SLL2, Linux cooked capture v2 (tcpdump -i any); capture one interface for Ethernet";
            default -> "LINKTYPE " + linkType;
        };
    }

    /**
     * Prints one line per non-zero count: {@code frames in/out}, then statuses, parse reasons, link types; aligned.
     * @param stream where the lines go.
     */
    public void printSummary(final PrintStream stream)
    {
        stream.printf("offload: %,d frames in, %,d frames out%n", framesIn, framesOut);
        final java.util.List<String[]> rows = new java.util.ArrayList<>();
        for (final OffloadStatus status : OffloadStatus.values())
        {
            final long count = statusCounts[status.ordinal()];
            if (count != 0 && status != OffloadStatus.MALFORMED)
            {
                rows.add(new String[] {status.name().toLowerCase(java.util.Locale.ROOT), String.format("%,d", count),
                    status.isSuccess() ? "" : "passed through unchanged"});
            }
        }
        for (final ParseStatus reason : ParseStatus.values())
        {
            final long count = parseCounts[reason.ordinal()];
            if (count != 0)
            {
                rows.add(new String[] {"malformed " + reason.name().toLowerCase(java.util.Locale.ROOT),
                    String.format("%,d", count), "passed through unchanged"});
            }
        }
        for (final var linkType : otherLinkTypes.entrySet())
        {
            rows.add(new String[] {"link_type_" + linkType.getKey(), String.format("%,d", linkType.getValue()[0]),
                "passed through unchanged: " + linkTypeName(linkType.getKey()) + ", not Ethernet"});
        }
        if (snapped != 0)
        {
            rows.add(new String[] {"snapped", String.format("%,d", snapped),
                "passed through unchanged: cut by the capture's snap length"});
        }
        int nameWidth = 0;
        int countWidth = 0;
        for (final String[] row : rows)
        {
            nameWidth = Math.max(nameWidth, row[0].length());
            countWidth = Math.max(countWidth, row[1].length());
        }
        for (final String[] row : rows)
        {
            final String line = String.format("  %-" + nameWidth + "s  %" + countWidth + "s  %s", row[0], row[1],
                row[2].isEmpty() ? "" : "(" + row[2] + ")");
            stream.println(line.stripTrailing());
        }
    }

    /** Where frames go: a pcap (one link type, Ethernet) or a pcapng (an interface block per link type, added when met). */
    private interface Sink extends AutoCloseable
    {
        static Sink create(final Path file, final Format format) throws IOException
        {
            if (format == Format.PCAP)
            {
                final PcapWriter pcap = PcapWriter.create(file);
                return new Sink()
                {
                    @Override
                    public void write(
                        final int linkType, final DirectBuffer buffer, final int offset, final int length,
                        final long timestampNanos) throws IOException
                    {
                        pcap.write(buffer, offset, length, timestampNanos);
                    }

                    @Override
                    public void close() throws IOException
                    {
                        pcap.close();
                    }
                };
            }
            final PcapngWriter pcapng = new PcapngWriter(FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), "pvnet offload");
            final java.util.Map<Integer, Integer> interfaces = new java.util.HashMap<>();
            return new Sink()
            {
                @Override
                public void write(
                    final int linkType, final DirectBuffer buffer, final int offset, final int length,
                    final long timestampNanos) throws IOException
                {
                    Integer id = interfaces.get(linkType);
                    if (id == null)
                    {
                        id = pcapng.addInterface(linkType == PcapWriter.LINKTYPE_ETHERNET ? "offload" :
                            "offload-linktype-" + linkType, linkType, PcapngWriter.MAX_SNAP_LENGTH);
                        interfaces.put(linkType, id);
                    }
                    pcapng.write(id, PcapngWriter.DIRECTION_UNKNOWN, buffer, offset, length, timestampNanos);
                }

                @Override
                public void close() throws IOException
                {
                    pcapng.close();
                }
            };
        }

        void write(int linkType, DirectBuffer buffer, int offset, int length, long timestampNanos) throws IOException;

        @Override
        void close() throws IOException;
    }
}
