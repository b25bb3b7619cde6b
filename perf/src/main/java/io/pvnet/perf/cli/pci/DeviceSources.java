package io.pvnet.perf.cli.pci;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.device.EmulatedDeviceFile;
import io.pvnet.pci.device.LspciDump;
import io.pvnet.pci.device.SysfsScanner;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The options every {@code pvnet pci} command shares to say where devices come from: a sysfs tree (read only), an
 * {@code lspci -x..} dump instead, and emulated device definitions on top.
 */
public final class DeviceSources
{
    @Option(names = "--sysfs", paramLabel = "DIR",
        description = "sysfs PCI device directory, read only (default: ${DEFAULT-VALUE}).")
    Path sysfs = SysfsScanner.DEFAULT_ROOT;

    @Option(names = "--from-dump", paramLabel = "FILE",
        description = "Read devices from an lspci -x/-xxx/-xxxx dump instead of sysfs.")
    Path dump;

    @Option(names = "--emulated", paramLabel = "FILE",
        description = "Add emulated devices defined in FILE (see pci-passthrough/README.md).")
    Path emulated;

    @Option(names = "--no-sysfs", description = "Do not read sysfs (only --from-dump / --emulated devices).")
    boolean noSysfs;

    /** Every device from the selected sources, in address order; an emulated device hides a real one's address. */
    public List<PciDevice> load()
    {
        final TreeMap<PciAddress, PciDevice> devices = new TreeMap<>();
        if (dump != null)
        {
            for (final LspciDump.Entry entry : LspciDump.parse(read(dump)))
            {
                devices.put(entry.address(), entry.toDevice(dump.toString()));
            }
        }
        else if (!noSysfs)
        {
            for (final PciDevice device : new SysfsScanner(sysfs).scan())
            {
                devices.put(device.address(), device);
            }
        }
        if (emulated != null)
        {
            for (final PciDevice device : EmulatedDeviceFile.parse(read(emulated)))
            {
                devices.put(device.address(), device);
            }
        }
        return new ArrayList<>(devices.values());
    }

    /** The device at {@code address}; an error naming the sources when absent. */
    public PciDevice find(final String address)
    {
        final PciAddress wanted = PciAddress.parse(address);
        for (final PciDevice device : load())
        {
            if (device.address().equals(wanted))
            {
                return device;
            }
        }
        throw new IllegalArgumentException("no device " + wanted + " in " + describe());
    }

    String describe()
    {
        final List<String> parts = new ArrayList<>();
        if (dump != null)
        {
            parts.add("dump " + dump);
        }
        else if (!noSysfs)
        {
            parts.add("sysfs " + sysfs);
        }
        if (emulated != null)
        {
            parts.add("emulated " + emulated);
        }
        return String.join(" + ", parts);
    }

    static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read file=" + file, ex);
        }
    }
}
