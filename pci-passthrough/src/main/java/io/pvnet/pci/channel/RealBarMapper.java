package io.pvnet.pci.channel;

import io.pvnet.pci.Bar;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Maps a real device's BAR through its sysfs {@code resourceN} file with FFM, only when every condition holds: the
 * user named the device explicitly, the file exists, the BAR is memory (I/O BARs cannot be mapped), and the process
 * may open the file. Read-only unless the user also named the device as writable. Otherwise it says why not.
 * <p>
 * Mapping a real BAR is the user's decision: tests only map regular files standing in for {@code resourceN}.
 */
public final class RealBarMapper
{
    /**
     * Which real devices the user allowed.
     *
     * @param mappable devices named by an explicit flag ({@code --map-bar ADDR}).
     * @param writable devices named by an explicit flag for writable mapping ({@code --map-bar-writable ADDR}).
     */
    public record Policy(Set<PciAddress> mappable, Set<PciAddress> writable)
    {
        public static final Policy NONE = new Policy(Set.of(), Set.of());

        /** Copies the sets, so the policy is immutable. */
        public Policy
        {
            mappable = Set.copyOf(mappable);
            writable = Set.copyOf(writable);
        }
    }

    /**
     * The outcome: a mapping, or the reason there is none.
     *
     * @param segment  the mapped file, or null.
     * @param writable whether it was mapped read-write.
     * @param reason   why there is no mapping, or null.
     */
    public record Result(MemorySegment segment, boolean writable, String reason)
    {
        /** {@return true when there is a mapping} */
        public boolean isMapped()
        {
            return segment != null;
        }
    }

    private final Path sysfsRoot;
    private final Policy policy;
    private final Arena arena;

    /**
     * A mapper for the devices of {@code sysfsRoot}.
     * @param sysfsRoot the sysfs PCI device directory the devices came from.
     * @param policy    what the user allowed.
     * @param arena     owns the mappings; closing it unmaps them.
     */
    public RealBarMapper(final Path sysfsRoot, final Policy policy, final Arena arena)
    {
        this.sysfsRoot = sysfsRoot;
        this.policy = policy;
        this.arena = arena;
    }

    /**
     * Maps a real device's BAR as the policy allows: read-only unless the device is named writable.
     * @param device the device.
     * @param bar the BAR.
     * @return the mapping, or the reason there is none.
     */
    public Result map(final PciDevice device, final Bar bar)
    {
        final PciAddress address = device.address();
        if (device.isEmulated())
        {
            return new Result(null, false, "emulated devices use region memory, not sysfs");
        }
        if (!policy.mappable().contains(address))
        {
            return new Result(null, false, "real device " + address + " was not named with --map-bar " + address +
                "; its BARs stay unmapped");
        }
        if (bar.isIo())
        {
            return new Result(null, false, "BAR" + bar.index() + " of " + address +
                " is an I/O BAR; sysfs cannot mmap I/O ports (EINVAL, as ixy.java notes)");
        }
        if (bar.isRom())
        {
            return new Result(null, false, "the expansion ROM is read through sysfs 'rom', not mapped");
        }
        final Path file = sysfsRoot.resolve(address.toString()).resolve("resource" + bar.index());
        if (!Files.exists(file))
        {
            return new Result(null, false, "no " + file + " (virtual machines often have no resourceN, ixy #34)");
        }
        final boolean writable = policy.writable().contains(address);
        if (!Files.isReadable(file) || (writable && !Files.isWritable(file)))
        {
            return new Result(null, false, "not permitted to open " + file + (writable ? " read-write" : ""));
        }
        try (FileChannel channel = writable ?
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE) :
            FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = bar.sizeBytes() > 0 ? bar.sizeBytes() : channel.size();
            if (size <= 0)
            {
                return new Result(null, false, "cannot tell the size of " + file);
            }
            final MemorySegment segment = channel.map(
                writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new Result(segment, writable, null);
        }
        catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex)
        {
            return new Result(null, false, "mapping " + file + " failed: " + ex);
        }
    }
}
