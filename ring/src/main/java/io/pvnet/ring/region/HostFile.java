package io.pvnet.ring.region;

import io.pvnet.ring.share.LinuxCalls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * A file the host creates without ever destroying someone else's: created exclusively under an unpredictable
 * temporary name ({@code O_CREAT|O_EXCL|O_NOFOLLOW}, mode 0600) relative to the open directory, filled, then published
 * under its final name, and on {@link #close()} removed only if the name still holds the very file (device, inode)
 * this process created.
 * <p>
 * What may stand at the final name: nothing, or a regular file owned by this user that the caller's
 * {@link ReplaceCheck} accepts (for regions: a pvnet region whose creator is gone). Everything else is refused with a
 * {@link RegionException} naming the file and the reason: a symbolic link, a directory, a device node, a FIFO or
 * socket, another user's file, a file without the caller's header, a live file (naming its owner pid). The directory
 * must be a directory that only this user (or root, with the sticky bit, as {@code /dev/shm} and {@code /tmp}) can
 * change entries in; otherwise another user could swap names under us.
 * <p>
 * Publication: when the name was free, {@code link(2)} (fails if the name appeared meanwhile: never replaces); when a
 * replaceable file was there, {@code renameat(2)} over it after checking it is still the same file.
 * <p>
 * <b>Threads.</b> Configuration-time calls, one thread; not for data paths.
 */
public final class HostFile implements AutoCloseable
{
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int HEADER_PEEK_BYTES = 4096;
    private static final int MODE_FILE_TYPE = 0170000;
    private static final int MODE_STICKY = 01000;
    private static final int MODE_GROUP_OTHER_WRITE = 0022;

    /** Decides whether an existing regular file of this user at the target name may be replaced. */
    @FunctionalInterface
    public interface ReplaceCheck
    {
        /**
         * {@return null when it may be replaced, else why not (for example {@code "in use by pid 42"})}
         * @param path   the existing file.
         * @param header its first bytes (up to 4096), read without following links; position 0, native order.
         */
        String refusal(Path path, ByteBuffer header);
    }

    private final Path path;
    private final Path directoryPath;
    private final Path name;
    private final SecureDirectoryStream<Path> directory;
    private final Object replacedKey;
    private final Object fileKey;
    private Path temporaryName;
    private FileChannel channel;
    private boolean closed;

    private HostFile(
        final Path path, final Path directoryPath, final SecureDirectoryStream<Path> directory, final Object replacedKey,
        final Path temporaryName, final FileChannel channel, final Object fileKey)
    {
        this.path = path;
        this.directoryPath = directoryPath;
        this.name = path.getFileName();
        this.directory = directory;
        this.replacedKey = replacedKey;
        this.temporaryName = temporaryName;
        this.channel = channel;
        this.fileKey = fileKey;
    }

    /**
     * Checks the directory and whatever stands at {@code path}, then creates an empty temporary file beside it.
     * Fill it through {@link #channel()}, then call {@link #publish()}.
     *
     * @param path the region file to create.
     * @param replaceCheck decides whether an existing file at {@code path} is a stale region that may be replaced.
     * @return the file, open and not yet published; the caller owns it.
     * @throws RegionException naming {@code path} and the reason it cannot be created or replaced.
     */
    public static HostFile create(final Path path, final ReplaceCheck replaceCheck)
    {
        final Path absolute = path.toAbsolutePath().normalize();
        final Path directoryPath = absolute.getParent();
        if (directoryPath == null || absolute.getFileName() == null)
        {
            throw new RegionException(path, "not a file name");
        }
        checkDirectory(path, directoryPath);
        final SecureDirectoryStream<Path> directory = openDirectory(path, directoryPath);
        try
        {
            final Path name = absolute.getFileName();
            final Object replacedKey = checkExisting(path, directory, name, replaceCheck);
            final String prefix = "." + name + ".";
            for (int attempt = 0; ; attempt++)
            {
                final byte[] random = new byte[12];
                RANDOM.nextBytes(random);
                final Path temporaryName = Path.of(prefix + HexFormat.of().formatHex(random) + ".creating");
                try
                {
                    final SeekableByteChannel created = directory.newByteChannel(temporaryName,
                        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    final Object key = attributes(directory, temporaryName).fileKey();
                    return new HostFile(absolute, directoryPath, directory, replacedKey, temporaryName,
                        (FileChannel)created, key);
                }
                catch (final FileAlreadyExistsException clash)
                {
                    if (attempt == 3)
                    {
                        throw new RegionException(path, "cannot create a temporary file beside it: " + clash.getMessage());
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            closeQuietly(directory);
            throw new RegionException(path, "cannot create: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(directory);
            throw ex;
        }
    }

    /** {@return the temporary file's channel (read-write), until {@link #publish()}; closed by {@link #publish()}} */
    public FileChannel channel()
    {
        return channel;
    }

    /** {@return the final path} */
    public Path path()
    {
        return path;
    }

    /**
     * Moves the filled temporary file to the final name: {@code link(2)} when the name was free (so a name that
     * appeared meanwhile is never replaced), else a rename over the replaceable file once it is checked to be the
     * same file as inspected.
     *
     * @throws RegionException when the name changed under us; the temporary file is removed.
     */
    public void publish()
    {
        try
        {
            channel.close();
            channel = null;
            if (replacedKey == null)
            {
                try
                {
                    Files.createLink(path, directoryPath.resolve(temporaryName));
                    directory.deleteFile(temporaryName);
                }
                catch (final FileAlreadyExistsException appeared)
                {
                    throw new RegionException(path, "appeared while being created; not replacing it");
                }
                catch (final UnsupportedOperationException | IOException noHardLinks)
                {
                    if (exists(directory, name))
                    {
                        throw new RegionException(path, "appeared while being created; not replacing it");
                    }
                    directory.move(temporaryName, directory, name);
                }
            }
            else
            {
                final BasicFileAttributes now = attributesOrNull(directory, name);
                if (now == null || !replacedKey.equals(now.fileKey()))
                {
                    throw new RegionException(path, "changed while being replaced; not replacing it");
                }
                directory.move(temporaryName, directory, name);
            }
            temporaryName = null;
        }
        catch (final IOException ex)
        {
            close();
            throw new RegionException(path, "cannot publish: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Removes the temporary file if not yet published, else the final name if it still is the file this process
     * created (a file someone put there since is left alone). Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (channel != null)
            {
                channel.close();
            }
            final Path ours = temporaryName != null ? temporaryName : name;
            final BasicFileAttributes now = attributesOrNull(directory, ours);
            if (now != null && fileKey.equals(now.fileKey()))
            {
                directory.deleteFile(ours);
            }
        }
        catch (final IOException ignore)
        {
            // nothing of ours can be removed any more; never remove what is not ours
        }
        finally
        {
            closeQuietly(directory);
        }
    }

    /** {@return the effective uid of this process ({@link LinuxCalls#effectiveUid()})} */
    public static int effectiveUid()
    {
        return LinuxCalls.effectiveUid();
    }

    private static void checkDirectory(final Path path, final Path directoryPath)
    {
        final Map<String, Object> attributes;
        try
        {
            attributes = Files.readAttributes(directoryPath, "unix:uid,mode");
        }
        catch (final NoSuchFileException ex)
        {
            throw new RegionException(path, "directory " + directoryPath + " does not exist");
        }
        catch (final IOException ex)
        {
            throw new RegionException(path, "cannot read directory " + directoryPath + ": " + ex.getMessage(), ex);
        }
        final int mode = (Integer)attributes.get("mode");
        final int uid = (Integer)attributes.get("uid");
        if ((mode & MODE_FILE_TYPE) != 0040000)
        {
            throw new RegionException(path, directoryPath + " is not a directory");
        }
        final int self = effectiveUid();
        if (uid != self && uid != 0)
        {
            throw new RegionException(path, "directory " + directoryPath + " belongs to uid " + uid +
                " (this process runs as uid " + self + "): use a directory you own");
        }
        if ((mode & MODE_GROUP_OTHER_WRITE) != 0 && (mode & MODE_STICKY) == 0)
        {
            throw new RegionException(path, "directory " + directoryPath + " is writable by others without the " +
                "sticky bit (mode " + Integer.toOctalString(mode & 07777) + "): others could swap files in it");
        }
    }

    @SuppressWarnings("unchecked")
    private static SecureDirectoryStream<Path> openDirectory(final Path path, final Path directoryPath)
    {
        try
        {
            final DirectoryStream<Path> stream = Files.newDirectoryStream(directoryPath);
            if (stream instanceof SecureDirectoryStream<Path> secure)
            {
                return secure;
            }
            stream.close();
            throw new RegionException(path, "this platform has no race-free directory access (SecureDirectoryStream)");
        }
        catch (final IOException ex)
        {
            throw new RegionException(path, "cannot open directory " + directoryPath + ": " + ex.getMessage(), ex);
        }
    }

    /** {@return the file key of a replaceable existing file, or null when the name is free} */
    private static Object checkExisting(
        final Path path, final SecureDirectoryStream<Path> directory, final Path name, final ReplaceCheck replaceCheck)
        throws IOException
    {
        final BasicFileAttributes before = attributesOrNull(directory, name);
        if (before == null)
        {
            return null;
        }
        if (before.isSymbolicLink())
        {
            throw new RegionException(path, "is a symbolic link; refusing to replace it (remove it yourself if it is stale)");
        }
        if (before.isDirectory())
        {
            throw new RegionException(path, "is a directory; refusing to replace it");
        }
        if (!before.isRegularFile())
        {
            throw new RegionException(path, "is not a regular file (a device node, FIFO or socket); refusing to replace it");
        }
        final int uid = (Integer)Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        final int self = effectiveUid();
        if (uid != self)
        {
            throw new RegionException(path, "belongs to uid " + uid + " (this process runs as uid " + self +
                "); refusing to replace it");
        }
        final ByteBuffer header = ByteBuffer.allocate(HEADER_PEEK_BYTES).order(java.nio.ByteOrder.nativeOrder());
        try (SeekableByteChannel existing = directory.newByteChannel(name,
            Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)))
        {
            final BasicFileAttributes opened = attributes(directory, name);
            if (!before.fileKey().equals(opened.fileKey()))
            {
                throw new RegionException(path, "changed while being inspected; not replacing it");
            }
            while (header.hasRemaining() && existing.read(header) >= 0)
            {
                // read what there is, up to the peek size
            }
        }
        header.flip();
        final String refusal = replaceCheck.refusal(path, header);
        if (refusal != null)
        {
            throw new RegionException(path, refusal);
        }
        return before.fileKey();
    }

    private static boolean exists(final SecureDirectoryStream<Path> directory, final Path name) throws IOException
    {
        return attributesOrNull(directory, name) != null;
    }

    private static BasicFileAttributes attributes(final SecureDirectoryStream<Path> directory, final Path name)
        throws IOException
    {
        return directory.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .readAttributes();
    }

    private static BasicFileAttributes attributesOrNull(final SecureDirectoryStream<Path> directory, final Path name)
        throws IOException
    {
        try
        {
            return attributes(directory, name);
        }
        catch (final NoSuchFileException absent)
        {
            return null;
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final Exception ignore)
        {
            // closing a directory handle: nothing to recover
        }
    }
}
