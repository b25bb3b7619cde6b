package io.pvnet.pci.backend;

import io.pvnet.pci.ConfigAccess;
import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.Resource;

import java.util.List;

import static io.pvnet.pci.PciRegisters.*;

/**
 * The guest's view of one exported device's config space, following xen-pciback's {@code conf_space.c}:
 * <ul>
 * <li>accesses must be 1, 2 or 4 bytes, aligned and inside the config space, else {@link XenPciError#INVALID_OFFSET}
 * and value 0;</li>
 * <li>a read starts from the hardware value and merges every overlapping {@link ConfigField} byte by byte;</li>
 * <li>a write goes to every overlapping field (merged with the field's current value); a write no field overlaps is
 * dropped with one warning per device, or written to the hardware in permissive mode. Fields keep filtering in
 * permissive mode.</li>
 * </ul>
 * The "hardware" is the device's {@link ConfigAccess}: an emulated function, or a real device's read-only snapshot, to
 * which every write is refused (and counted): pvnet never writes to a real device.
 * <p>
 * Not thread-safe: one backend agent owns it.
 * <p>
 * As xen-pciback splits {@code conf_space.c} (this class: access checks, byte merging, dispatch, hardware writes and
 * their refusals, counters) from the field tables of {@code conf_space_header.c}/{@code conf_space_capability.c}
 * ({@link ConfigFieldList}, whose fields hold the register-by-register rules); {@link #guestAccess()} is
 * {@link GuestConfigAccess}.
 */
public final class VirtualConfigSpace
{
    private final PciDevice device;
    private final ConfigAccess hardware;
    private final WarningSink warnings;
    private final List<ConfigField> fields;
    private final int msiOffset;
    private final int msixOffset;
    private boolean permissive;
    private boolean allowInterruptControl;
    private boolean enabled;
    private boolean warnedOnWrite;

    private long reads;
    private long writes;
    private long droppedWrites;
    private long permissiveWrites;
    private long refusedRealDeviceWrites;
    private long deniedWrites;

    /**
     * Builds the field list for {@code device}; call {@link #init()} when the backend takes the device over.
     *
     * @param device the device the guest gets.
     * @param permissive true to pass writes no field covers to the (emulated) device, as pciback's {@code permissive}.
     * @param allowInterruptControl true to let the guest change INTx disable and MSI/MSI-X enable ({@code
     *     allow_interrupt_control}).
     * @param warnings where dropped writes and refusals are reported (once per device).
     * @throws IllegalArgumentException for header types other than 0 and 1 (xen-pciback refuses them too).
     */
    public VirtualConfigSpace(
        final PciDevice device, final boolean permissive, final boolean allowInterruptControl,
        final WarningSink warnings)
    {
        this(device, permissive, allowInterruptControl, warnings, List.of());
    }

    /**
     * As the other constructor, plus the quirks that apply to this device (fields after the header and capability
     * fields; a quirk on an offset that already has a field is ignored, as xen-pciback ignores duplicates).
     * @param device the device the guest gets.
     * @param permissive true to pass writes no field covers to the (emulated) device, as pciback's {@code permissive}.
     * @param allowInterruptControl true to let the guest change INTx disable and MSI/MSI-X enable ({@code
     *     allow_interrupt_control}).
     * @param warnings where dropped writes and refusals are reported (once per device).
     * @param quirks the quirks for this device.
     */
    public VirtualConfigSpace(
        final PciDevice device, final boolean permissive, final boolean allowInterruptControl,
        final WarningSink warnings, final List<io.pvnet.pci.spec.Quirk> quirks)
    {
        this.device = device;
        this.hardware = device.config();
        this.permissive = permissive;
        this.allowInterruptControl = allowInterruptControl;
        this.warnings = warnings;
        final ConfigSpace config = hardware.snapshot();
        final int layout = config.headerLayout();
        if (layout != HEADER_TYPE_NORMAL && layout != HEADER_TYPE_BRIDGE)
        {
            throw new IllegalArgumentException("pciback handles header types 0 and 1 only: address=" +
                device.address() + " headerType=" + layout);
        }
        final ConfigFieldList list = ConfigFieldList.of(device, config, quirks);
        fields = list.fields();
        msiOffset = list.msiOffset();
        msixOffset = list.msixOffset();
    }

    /** The backend takes the device over: fields capture their initial state. */
    public void init()
    {
        enabled = false;
        warnedOnWrite = false;
        for (final ConfigField field : fields)
        {
            field.init(this);
        }
    }

    /** The guest is gone: virtual state returns to what init gave. */
    public void reset()
    {
        for (final ConfigField field : fields)
        {
            field.reset(this);
        }
        enabled = false;
    }

    /** {@return the device behind this view} */
    public PciDevice device()
    {
        return device;
    }

    /** {@return true when writes no field covers reach the (emulated) device} */
    public boolean isPermissive()
    {
        return permissive;
    }

    /**
     * Sets permissive mode at run time (pciback's per-device sysfs {@code permissive}).
     * @param permissive the new mode.
     */
    public void permissive(final boolean permissive)
    {
        this.permissive = permissive;
    }

    /** {@return true when the guest may change INTx disable and MSI/MSI-X enable} */
    public boolean allowsInterruptControl()
    {
        return allowInterruptControl;
    }

    /**
     * Sets {@code allow_interrupt_control} at run time.
     * @param allow the new setting.
     */
    public void allowInterruptControl(final boolean allow)
    {
        this.allowInterruptControl = allow;
    }

    /**
     * Packs an error code and a value into one long (error in the high half).
     * @param error a {@link XenPciError} code.
     * @param value the value read.
     * @return both, packed.
     */
    public static long result(final int error, final int value)
    {
        return (long)error << 32 | (value & 0xFFFFFFFFL);
    }

    /**
     * {@return the error code of a packed result}
     * @param result a value {@link #result(int, int)} packed.
     */
    public static int error(final long result)
    {
        return (int)(result >> 32);
    }

    /**
     * {@return the value of a packed result}
     * @param result a value {@link #result(int, int)} packed.
     */
    public static int value(final long result)
    {
        return (int)result;
    }

    private boolean validRequest(final int offset, final int size)
    {
        return (size == 1 || size == 2 || size == 4) && offset >= 0 && (offset % size) == 0 &&
            offset + size <= hardware.size();
    }

    /**
     * A guest config read: {@link #result(int, int)} with {@link XenPciError} codes. Never throws.
     * @param offset the config register's offset.
     * @param size 1, 2 or 4 bytes.
     * @return the error code and the value, packed.
     */
    public long read(final int offset, final int size)
    {
        if (!validRequest(offset, size))
        {
            return result(XenPciError.INVALID_OFFSET, 0);
        }
        reads++;
        long value = hardware.read(offset, size) & mask(size);
        for (int i = 0, n = fields.size(); i < n; i++)
        {
            final ConfigField field = fields.get(i);
            if (offset + size > field.offset && field.offset + field.size > offset)
            {
                value = merge(value, field.read(this) & mask(field.size), mask(field.size), field.offset - offset);
            }
        }
        return result(XenPciError.SUCCESS, (int)(value & mask(size)));
    }

    /**
     * A guest config write: a {@link XenPciError} code. Never throws.
     * @param offset the config register's offset.
     * @param size 1, 2 or 4 bytes.
     * @param value the value the guest writes.
     * @return the error code.
     */
    public int write(final int offset, final int size, final int value)
    {
        if (!validRequest(offset, size))
        {
            return XenPciError.INVALID_OFFSET;
        }
        writes++;
        boolean handled = false;
        int error = XenPciError.SUCCESS;
        for (int i = 0, n = fields.size(); i < n && error == XenPciError.SUCCESS; i++)
        {
            final ConfigField field = fields.get(i);
            if (offset + size > field.offset && field.offset + field.size > offset)
            {
                long merged = field.read(this) & mask(field.size);
                merged = merge(merged, value & mask(size), mask(size), offset - field.offset);
                error = field.write(this, (int)(merged & mask(field.size)));
                handled = true;
            }
        }
        if (!handled)
        {
            if (permissive)
            {
                permissiveWrites++;
                error = hardwareWrite(offset, size, value);
            }
            else
            {
                droppedWrites++;
                if (!warnedOnWrite)
                {
                    warnedOnWrite = true;
                    warnings.warn(device.address(), String.format(
                        "guest wrote to a read-only config field at offset 0x%x, size %d; dropped (this is warned " +
                        "once per device; set permissive to pass such writes to an emulated device)", offset, size));
                }
            }
        }
        if (error != XenPciError.SUCCESS)
        {
            deniedWrites++;
        }
        return error;
    }

    private static long mask(final int size)
    {
        return size == 4 ? 0xFFFFFFFFL : (1L << (8 * size)) - 1;
    }

    /** xen-pciback's merge_value: puts {@code newValue}'s masked bytes at byte offset {@code shift} of {@code value}. */
    private static long merge(final long value, final long newValue, final long newMask, final int shift)
    {
        final long v;
        final long m;
        if (shift >= 0)
        {
            v = newValue << (8 * shift);
            m = newMask << (8 * shift);
        }
        else
        {
            v = newValue >>> (-8 * shift);
            m = newMask >>> (-8 * shift);
        }
        return ((value & ~m) | (v & m)) & 0xFFFFFFFFL;
    }

    // hardware access for fields

    int hardwareRead(final int offset, final int size)
    {
        return hardware.read(offset, size);
    }

    /** A write the guest caused; refused on a real device. */
    int hardwareWrite(final int offset, final int size, final int value)
    {
        if (!hardware.isWritable())
        {
            refusedRealDeviceWrites++;
            return XenPciError.ACCESS_DENIED;
        }
        return hardware.write(offset, size, value) == ConfigAccess.WRITE_OK ?
            XenPciError.SUCCESS : XenPciError.OP_FAILED;
    }

    /** A write the backend itself makes (clearing PME_EN, enabling decode); refused on a real device. */
    boolean backendWrite(final int offset, final int size, final int value)
    {
        return hardwareWrite(offset, size, value) == XenPciError.SUCCESS;
    }

    boolean setHardwareCommandBits(final int bits, final boolean on)
    {
        final int command = hardware.read(COMMAND, 2);
        final int updated = on ? command | bits : command & ~bits;
        return updated == command || backendWrite(COMMAND, 2, updated);
    }

    boolean isEnabled()
    {
        return enabled;
    }

    /** pci_enable_device: decode for the kinds of resources the device has. */
    void enableDevice()
    {
        int bits = 0;
        for (int i = 0; i < 7; i++)
        {
            final Resource resource = device.resource(i);
            bits |= resource.isIo() ? COMMAND_IO : resource.isMemory() ? COMMAND_MEMORY : 0;
        }
        if (bits == 0 || setHardwareCommandBits(bits, true))
        {
            enabled = true;
        }
    }

    /** pci_disable_device: clears bus mastering. */
    void disableDevice()
    {
        setHardwareCommandBits(COMMAND_MASTER, false);
        enabled = false;
    }

    /** {@return the MSI capability's offset, or -1 when the device has none} */
    public int msiOffset()
    {
        return msiOffset;
    }

    /** {@return the MSI-X capability's offset, or -1 when the device has none} */
    public int msixOffset()
    {
        return msixOffset;
    }

    /** {@return true while the guest has MSI enabled} */
    public boolean isMsiEnabled()
    {
        return msiOffset >= 0 && (hardware.read(msiOffset + MSI_FLAGS, 2) & MSI_FLAGS_ENABLE) != 0;
    }

    /** {@return true while the guest has MSI-X enabled} */
    public boolean isMsixEnabled()
    {
        return msixOffset >= 0 && (hardware.read(msixOffset + MSIX_FLAGS, 2) & MSIX_FLAGS_ENABLE) != 0;
    }

    /**
     * The whole config space as the guest reads it, dword by dword.
     * @return a new image of the guest's view.
     */
    public ConfigSpace guestSnapshot()
    {
        final int size = hardware.size();
        final byte[] bytes = new byte[size];
        for (int offset = 0; offset < size; offset += 4)
        {
            final int value = value(read(offset, 4));
            for (int i = 0; i < 4; i++)
            {
                bytes[offset + i] = (byte)(value >>> (8 * i));
            }
        }
        final int readable = hardware.snapshot().readableLength();
        return ConfigSpace.of(bytes, Math.max(readable, PciRegisters.STANDARD_HEADER_SIZE));
    }

    /**
     * The guest's view as a {@link ConfigAccess}, for tools that run guest-side protocols (BAR sizing).
     * @return a read/write view; writes go through the same fields as the guest's.
     */
    public ConfigAccess guestAccess()
    {
        return new GuestConfigAccess(this);
    }

    /** {@return guest config reads so far} */
    public long reads()
    {
        return reads;
    }

    /** {@return guest config writes so far} */
    public long writes()
    {
        return writes;
    }

    /**
     * Writes no field covered, dropped (not permissive).
     * @return the count.
     */
    public long droppedWrites()
    {
        return droppedWrites;
    }

    /**
     * Writes no field covered, passed to the hardware (permissive).
     * @return the count.
     */
    public long permissiveWrites()
    {
        return permissiveWrites;
    }

    /**
     * Writes that would have reached a real device's hardware, refused.
     * @return the count.
     */
    public long refusedRealDeviceWrites()
    {
        return refusedRealDeviceWrites;
    }

    /**
     * Writes answered with an error.
     * @return the count.
     */
    public long deniedWrites()
    {
        return deniedWrites;
    }

    /**
     * The command shadow (what the guest last wrote), for diagnostics.
     * @return the command register as the guest last wrote it.
     */
    public int commandShadow()
    {
        for (final ConfigField field : fields)
        {
            if (field instanceof CommandField command)
            {
                return command.shadow();
            }
        }
        return 0;
    }
}
