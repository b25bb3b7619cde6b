package io.pvnet.pci.device;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.Resource;
import io.pvnet.pci.SnapshotConfigAccess;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Enumerates real PCI functions from a sysfs tree ({@code /sys/bus/pci/devices} by default, configurable so tests can
 * point it at a copy). <strong>Read-only</strong>: every file is opened with {@link StandardOpenOption#READ} alone, and
 * the devices it returns have read-only config access.
 */
public final class SysfsScanner
{
    /** Where Linux lists PCI functions. */
    public static final Path DEFAULT_ROOT = Path.of("/sys/bus/pci/devices");
    private static final int RESOURCE_LINES = 7;

    private final Path root;

    /**
     * A scanner of the sysfs tree at {@code root}.
     * @param root the directory holding one entry per function ({@link #DEFAULT_ROOT}, or a copy in tests).
     */
    public SysfsScanner(final Path root)
    {
        this.root = root;
    }

    /** {@return the directory scanned} */
    public Path root()
    {
        return root;
    }

    /**
     * Every function under the root, in address order.
     *
     * @return the devices, read-only.
     * @throws UncheckedIOException naming the directory when it cannot be listed.
     */
    public List<PciDevice> scan()
    {
        final List<PciDevice> devices = new ArrayList<>();
        if (!Files.isDirectory(root))
        {
            throw new UncheckedIOException(new IOException("not a sysfs PCI device directory: sysfs=" + root));
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root))
        {
            for (final Path entry : entries)
            {
                final PciAddress address;
                try
                {
                    address = PciAddress.parse(entry.getFileName().toString());
                }
                catch (final IllegalArgumentException notADevice)
                {
                    continue;
                }
                devices.add(load(address, entry));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list sysfs=" + root, ex);
        }
        Collections.sort(devices, (a, b) -> a.address().compareTo(b.address()));
        return devices;
    }

    /**
     * The function at {@code address}, or null when the tree has no such directory.
     * @param address the function's address.
     * @return the device, or null.
     */
    public PciDevice find(final PciAddress address)
    {
        final Path dir = root.resolve(address.toString());
        return Files.isDirectory(dir) ? load(address, dir) : null;
    }

    private static PciDevice load(final PciAddress address, final Path dir)
    {
        final ConfigSpace config = readConfig(dir.resolve("config"));
        final Resource[] resources = readResources(dir.resolve("resource"));
        String driver = null;
        final Path driverLink = dir.resolve("driver");
        if (Files.isSymbolicLink(driverLink))
        {
            try
            {
                driver = Files.readSymbolicLink(driverLink).getFileName().toString();
            }
            catch (final IOException ignored)
            {
                // unreadable link: shown as no driver
            }
        }
        int irq = -1;
        final Path irqFile = dir.resolve("irq");
        if (Files.isReadable(irqFile))
        {
            try
            {
                irq = Integer.parseInt(Files.readString(irqFile).trim());
            }
            catch (final IOException | NumberFormatException ignored)
            {
                // unknown: the config's interrupt line is shown instead
            }
        }
        return new PciDevice(address, new SnapshotConfigAccess(config), resources, driver, PciDevice.Origin.SYSFS,
            dir.toString(), irq);
    }

    /** Reads up to 4096 bytes of {@code config}; unprivileged readers get 64. */
    static ConfigSpace readConfig(final Path file)
    {
        final byte[] data = new byte[4096];
        int length = 0;
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ))
        {
            int n;
            while (length < data.length && (n = in.read(data, length, data.length - length)) > 0)
            {
                length += n;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read config=" + file, ex);
        }
        if (length < 64)
        {
            throw new UncheckedIOException(new IOException(
                "config shorter than the 64-byte header: config=" + file + " length=" + length));
        }
        return ConfigSpace.of(data, length);
    }

    static Resource[] readResources(final Path file)
    {
        final Resource[] resources = new Resource[RESOURCE_LINES];
        java.util.Arrays.fill(resources, Resource.NONE);
        if (!Files.isReadable(file))
        {
            return resources;
        }
        try
        {
            final List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < RESOURCE_LINES && i < lines.size(); i++)
            {
                resources[i] = Resource.parse(lines.get(i));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read resource=" + file, ex);
        }
        return resources;
    }

    /**
     * The sysfs {@code resourceN} file of a BAR (whether or not it exists).
     * @param address the function's address.
     * @param barIndex the BAR's index.
     * @return the path.
     */
    public Path resourceFile(final PciAddress address, final int barIndex)
    {
        return root.resolve(address.toString()).resolve("resource" + barIndex);
    }
}
