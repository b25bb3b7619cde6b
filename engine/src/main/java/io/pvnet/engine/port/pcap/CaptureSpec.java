package io.pvnet.engine.port.pcap;

import io.pvnet.checksum.pcap.PcapngWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * What {@code --pcap PORT=FILE[,snaplen=N][,rotate=MB[,files=N]]} asks for, as tcpdump's {@code -w}, {@code -s},
 * {@code -C} and {@code -W}: the pcapng file, how many bytes of each frame to keep, the size at which a new file is
 * started (in decimal megabytes, 1,000,000 bytes, as tcpdump's {@code -C}) and how many files to keep. Rotated files are named {@code cap.pcapng}, {@code cap.1.pcapng},
 * {@code cap.2.pcapng}, ...; with {@code files=N} the oldest beyond N are deleted.
 *
 * @param file        the first file.
 * @param snapLength  bytes kept of each frame (1 to 262,144; default 262,144: whole frames, TSO included).
 * @param rotateBytes start a new file once the current one holds this many bytes; 0 never.
 * @param files       how many files to keep when rotating; 0 all.
 */
public record CaptureSpec(Path file, int snapLength, long rotateBytes, int files)
{
    /** Bytes in one {@code rotate=MB} megabyte: decimal, 1,000,000, as tcpdump's {@code -C}. */
    public static final long BYTES_PER_MB = 1_000_000;
    /** The largest {@code rotate=MB}: 1,000,000 MB (1 TB). */
    public static final long MAX_ROTATE_MB = 1_000_000;

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if {@code snapLength} is out of range, or {@code files} is set without
     *                                  {@code rotateBytes}.
     */
    public CaptureSpec
    {
        if (snapLength < 1 || snapLength > PcapngWriter.MAX_SNAP_LENGTH)
        {
            throw new IllegalArgumentException("snaplen=" + snapLength + " must be between 1 and " +
                PcapngWriter.MAX_SNAP_LENGTH);
        }
        if (rotateBytes < 0 || files < 0 || (files > 0 && rotateBytes == 0))
        {
            throw new IllegalArgumentException("files=" + files + " needs rotate=MB");
        }
    }

    /**
     * A capture of whole frames into one file, never rotated.
     *
     * @param file the pcapng file.
     * @return the spec.
     */
    public static CaptureSpec of(final Path file)
    {
        return new CaptureSpec(file, PcapngWriter.MAX_SNAP_LENGTH, 0, 0);
    }

    /**
     * Parses the argument of {@code --pcap PORT=...} after the {@code =}.
     *
     * @param text {@code FILE[,snaplen=N][,rotate=MB[,files=N]]}.
     * @return the spec.
     * @throws IllegalArgumentException naming the bad part.
     */
    public static CaptureSpec parse(final String text)
    {
        final String[] parts = text.split(",", -1);
        if (parts[0].isBlank())
        {
            throw new IllegalArgumentException("'" + text + "' names no file");
        }
        int snapLength = PcapngWriter.MAX_SNAP_LENGTH;
        long rotateBytes = 0;
        int files = 0;
        for (int i = 1; i < parts.length; i++)
        {
            final int equals = parts[i].indexOf('=');
            final String key = equals < 0 ? parts[i] : parts[i].substring(0, equals).trim().toLowerCase(Locale.ROOT);
            final String value = equals < 0 ? "" : parts[i].substring(equals + 1).trim();
            switch (key)
            {
                case "snaplen" -> snapLength = (int)number(key, value, 1, PcapngWriter.MAX_SNAP_LENGTH);
                case "rotate" -> rotateBytes = number(key, value, 1, MAX_ROTATE_MB) * BYTES_PER_MB;
                case "files" -> files = (int)number(key, value, 1, 100_000);
                default -> throw new IllegalArgumentException("'" + parts[i] + "' is not snaplen=N, rotate=MB or files=N");
            }
        }
        return new CaptureSpec(Path.of(parts[0]), snapLength, rotateBytes, files);
    }

    /**
     * {@return why a capture must not write {@code file}, or null when it may}: a capture creates a new file or replaces
     * a capture (pcap or pcapng by its first four bytes, or an empty file), as tcpdump {@code -w} would, but never
     * another file (a mistyped path must not cost a file), nor writes through a symbolic link or into anything but a
     * regular file. Rotation deletes only what this says it may replace.
     *
     * @param file the file a capture is about to create, truncate or delete.
     */
    public static String refusalToReplace(final Path file)
    {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            return null;
        }
        if (Files.isSymbolicLink(file))
        {
            return file + " is a symbolic link; a capture does not write through one";
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        {
            return file + " is not a regular file; refusing to replace it";
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            return refusalToReplace(file, channel);
        }
        catch (final IOException ex)
        {
            return file + " cannot be read to see whether it is a capture: " + ex.getMessage();
        }
    }

    /**
     * {@link #refusalToReplace(Path)}'s content check on a channel already open on {@code file}: null when it is empty or
     * a capture, else why not. The capture itself opens the file without truncating, checks it through the same channel
     * and only then truncates it, so a file swapped in after the path was checked is never cut.
     *
     * @param file    named in the refusal.
     * @param channel open for reading on {@code file}; its position moves.
     * @return null when the file may be replaced, else one line saying why not.
     * @throws IOException when the channel cannot be read.
     */
    public static String refusalToReplace(final Path file, final FileChannel channel) throws IOException
    {
        if (channel.size() == 0)
        {
            return null;
        }
        channel.position(0);
        final ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        while (head.hasRemaining() && channel.read(head) > 0)
        {
            // a short read: read on until four bytes or the end
        }
        final int magic = head.hasRemaining() ? 0 : head.getInt(0);
        return magic == 0x0A0D0D0A || magic == 0xA1B2C3D4 || magic == 0xD4C3B2A1 || magic == 0xA1B23C4D ||
            magic == 0x4D3CB2A1 ? null : file + " exists and is not a capture (pcap or pcapng); refusing to replace it";
    }

    /**
     * {@return the name of the file number {@code index} of a rotation: {@code cap.pcapng}, {@code cap.1.pcapng}, ...}
     *
     * @param index the file's number in the rotation, 0 for the first.
     */
    public Path fileFor(final long index)
    {
        if (index == 0)
        {
            return file;
        }
        final String name = file.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        final String rotated = dot > 0 ? name.substring(0, dot) + "." + index + name.substring(dot) : name + "." + index;
        return file.resolveSibling(rotated);
    }

    private static long number(final String key, final String value, final long min, final long max)
    {
        try
        {
            final long n = Long.parseLong(value);
            if (n >= min && n <= max)
            {
                return n;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below
        }
        throw new IllegalArgumentException(key + "=" + value + " must be a whole number from " + min + " to " + max);
    }
}
