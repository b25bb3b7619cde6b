package io.pvnet.pci.device;

import io.pvnet.pci.ConfigSpace;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.SnapshotConfigAccess;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes hex dumps in the format of {@code lspci -x/-xxx/-xxxx}, following the rules of pciutils
 * {@code dump.c} (so what {@link #write} produces is what {@code lspci -F FILE} reads):
 * <ul>
 * <li>a device starts at a line {@code BB:DD.F } or {@code DDDD:BB:DD.F } (the space is required; the rest of the line
 * is ignored);</li>
 * <li>data lines are a 2 to 8 digit hex offset, {@code ": "} and 2-digit hex bytes separated by single spaces;</li>
 * <li>an offset of 4096 or more, or a malformed data line, is an error; a blank line ends the device; any other line
 * (the {@code -vv} decode lines) is ignored.</li>
 * </ul>
 */
public final class LspciDump
{
    private static final Pattern DEVICE_LINE =
        Pattern.compile("^(?:([0-9a-fA-F]{4,6}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7]) .*");
    private static final Pattern DATA_LINE = Pattern.compile("^([0-9a-fA-F]{2,8}): (.*)$");
    private static final Pattern BYTES = Pattern.compile("[0-9a-fA-F]{2}( [0-9a-fA-F]{2})*");

    /**
     * One device of a dump.
     * @param address the device's address, from its device line.
     * @param config its config space, from the data lines (bytes the dump does not show read as 0xFF).
     */
    public record Entry(PciAddress address, ConfigSpace config)
    {
        /**
         * The entry as a device: read-only config access, no resources or driver, origin {@link PciDevice.Origin#DUMP}.
         * @param source a path or description for messages (usually the dump file).
         * @return the device.
         */
        public PciDevice toDevice(final String source)
        {
            return new PciDevice(address, new SnapshotConfigAccess(config), null, null, PciDevice.Origin.DUMP, source);
        }
    }

    private LspciDump()
    {
    }

    /**
     * Parses every device of a dump.
     *
     * @param text the dump: {@code lspci -x}, {@code -xxx} or {@code -xxxx} output.
     * @return the devices in the order of the dump.
     * @throws IllegalArgumentException naming the line number and the reason.
     */
    public static List<Entry> parse(final String text)
    {
        final List<Entry> entries = new ArrayList<>();
        final String[] lines = text.split("\r?\n", -1);
        PciAddress address = null;
        byte[] data = null;
        int length = 0;
        for (int n = 0; n < lines.length; n++)
        {
            final String line = lines[n];
            final Matcher device = DEVICE_LINE.matcher(line);
            if (device.matches())
            {
                if (address != null)
                {
                    entries.add(entry(address, data, length, n));
                }
                final int domain = device.group(1) == null ? 0 : Integer.parseInt(device.group(1), 16);
                address = new PciAddress(domain, Integer.parseInt(device.group(2), 16),
                    Integer.parseInt(device.group(3), 16), Integer.parseInt(device.group(4), 16));
                data = new byte[4096];
                length = 0;
                continue;
            }
            if (line.isEmpty())
            {
                if (address != null)
                {
                    entries.add(entry(address, data, length, n));
                }
                address = null;
                continue;
            }
            final Matcher dataLine = DATA_LINE.matcher(line);
            if (address == null || !dataLine.matches())
            {
                continue;
            }
            if (!BYTES.matcher(dataLine.group(2)).matches())
            {
                throw new IllegalArgumentException("dump: malformed data at line " + (n + 1) + ": " + line);
            }
            int offset = (int)Long.parseLong(dataLine.group(1), 16);
            for (final String hex : dataLine.group(2).split(" "))
            {
                if (offset < 0 || offset >= 4096)
                {
                    throw new IllegalArgumentException("dump: at line " + (n + 1) + ": read beyond 4096 bytes");
                }
                data[offset++] = (byte)Integer.parseInt(hex, 16);
                length = Math.max(length, offset);
            }
        }
        if (address != null)
        {
            entries.add(entry(address, data, length, lines.length));
        }
        return entries;
    }

    private static Entry entry(final PciAddress address, final byte[] data, final int length, final int line)
    {
        if (length < 64)
        {
            throw new IllegalArgumentException("dump: device " + address + " ending before line " + (line + 1) +
                " has " + length + " bytes; at least the 64-byte header is needed");
        }
        return new Entry(address, ConfigSpace.of(data, length));
    }

    /**
     * Formats one device as {@code lspci -xxx} ({@code bytes} = 256) or {@code -xxxx} (4096) would: the device line, the
     * data lines, then a blank line.
     *
     * @param description text after the address on the device line (lspci prints class and names there).
     * @param address the device's address.
     * @param config its config space.
     * @param bytes how many config bytes to print: 64, 256 or 4096.
     * @return the device's text, ending with a blank line.
     */
    public static String write(final PciAddress address, final String description, final ConfigSpace config,
        final int bytes)
    {
        final StringBuilder out = new StringBuilder(bytes * 4);
        out.append(address.toLspciString()).append(' ').append(description).append('\n');
        appendHex(out, config, bytes);
        out.append('\n');
        return out.toString();
    }

    /**
     * Appends the data lines for the first {@code bytes} bytes (64, 256 or 4096).
     * @param out where the lines go.
     * @param config the config space.
     * @param bytes how many config bytes to print: 64, 256 or 4096.
     */
    public static void appendHex(final StringBuilder out, final ConfigSpace config, final int bytes)
    {
        for (int line = 0; line < bytes; line += 16)
        {
            out.append(String.format("%02x:", line));
            for (int i = 0; i < 16; i++)
            {
                out.append(String.format(" %02x", config.readByte(line + i)));
            }
            out.append('\n');
        }
    }
}
