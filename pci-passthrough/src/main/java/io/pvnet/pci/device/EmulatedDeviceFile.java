package io.pvnet.pci.device;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses emulated device definitions from a small text file, one directive a line, {@code #} comments, a blank line or
 * a new {@code device} line starting the next device. Numbers are hex unless they carry a K/M/G size suffix
 * (decimal) or are BAR indexes and vector counts (decimal):
 * <pre>
 * device 0000:00:07.0
 * ids 8086:10d3
 * subsystem 8086:a01f
 * class 020000
 * revision 01
 * bar 0 mem32 128K
 * bar 2 io 32
 * bar 4 mem64 16K prefetch
 * rom 64K
 * pm
 * msi 4 64bit maskable
 * msix 5 bar 4 table 0 pba 2000
 * pcie endpoint
 * extended 0123456789abcdef
 * bridge 00 01 02
 * </pre>
 * Errors name the line and the directive; a file with any error defines no device.
 */
public final class EmulatedDeviceFile
{
    private EmulatedDeviceFile()
    {
    }

    /**
     * Parses a device file (the format above).
     * @param text the file's text.
     * @return the devices in the file's order.
     */
    public static List<PciDevice> parse(final String text)
    {
        final List<PciDevice> devices = new ArrayList<>();
        EmulatedDeviceBuilder builder = null;
        final String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++)
        {
            String line = lines[n];
            final int hash = line.indexOf('#');
            if (hash >= 0)
            {
                line = line.substring(0, hash);
            }
            line = line.trim();
            if (line.isEmpty())
            {
                continue;
            }
            final String[] words = line.split("\\s+");
            try
            {
                if (words[0].equals("device"))
                {
                    if (builder != null)
                    {
                        devices.add(builder.build());
                    }
                    builder = new EmulatedDeviceBuilder(PciAddress.parse(arg(words, 1)));
                    continue;
                }
                if (builder == null)
                {
                    throw new IllegalArgumentException("a 'device ADDRESS' line must come first");
                }
                apply(builder, words);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("emulated device file, line " + (n + 1) + " '" + lines[n].trim() +
                    "': " + ex.getMessage(), ex);
            }
        }
        if (builder != null)
        {
            try
            {
                devices.add(builder.build());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("emulated device file: " + ex.getMessage(), ex);
            }
        }
        return devices;
    }

    private static void apply(final EmulatedDeviceBuilder builder, final String[] words)
    {
        switch (words[0])
        {
            case "ids" ->
            {
                final String[] ids = arg(words, 1).split(":");
                builder.ids(hex(ids[0]), hex(ids.length > 1 ? ids[1] : ""));
            }
            case "subsystem" ->
            {
                final String[] ids = arg(words, 1).split(":");
                builder.subsystem(hex(ids[0]), hex(ids.length > 1 ? ids[1] : ""));
            }
            case "class" -> builder.classCode(hex(arg(words, 1)));
            case "revision" -> builder.revision(hex(arg(words, 1)));
            case "bar" ->
            {
                final int index = Integer.parseInt(arg(words, 1));
                final long size = size(arg(words, 3));
                final boolean prefetch = words.length > 4 && words[4].equals("prefetch");
                builder.bar(index, switch (arg(words, 2))
                {
                    case "io" -> BarSpec.io(size);
                    case "mem32" -> BarSpec.mem32(size, prefetch);
                    case "mem64" -> BarSpec.mem64(size, prefetch);
                    default -> throw new IllegalArgumentException("BAR kind must be io, mem32 or mem64: kind=" + words[2]);
                });
            }
            case "rom" -> builder.rom(size(arg(words, 1)));
            case "pm" -> builder.powerManagement();
            case "msi" -> builder.msi(Integer.parseInt(arg(words, 1)), has(words, "64bit"), has(words, "maskable"));
            case "msix" ->
            {
                expect(words, 2, "bar");
                expect(words, 4, "table");
                expect(words, 6, "pba");
                builder.msix(Integer.parseInt(arg(words, 1)), Integer.parseInt(arg(words, 3)), hex(arg(words, 5)),
                    hex(arg(words, 7)));
            }
            case "pcie" -> builder.pcie(switch (arg(words, 1))
            {
                case "endpoint" -> 0;
                case "legacy" -> 1;
                case "rootport" -> 4;
                case "upstream" -> 5;
                case "downstream" -> 6;
                case "rciep" -> 9;
                default -> throw new IllegalArgumentException(
                    "pcie type must be endpoint, legacy, rootport, upstream, downstream or rciep: type=" + words[1]);
            });
            case "extended" -> builder.extendedConfig(Long.parseUnsignedLong(arg(words, 1), 16));
            case "bridge" -> builder.bridge(hex(arg(words, 1)), hex(arg(words, 2)), hex(arg(words, 3)));
            case "interrupt" -> builder.interrupt(Integer.parseInt(arg(words, 1)), hex(arg(words, 2)));
            case "command" -> builder.command(hex(arg(words, 1)));
            default -> throw new IllegalArgumentException("unknown directive: directive=" + words[0]);
        }
    }

    private static String arg(final String[] words, final int index)
    {
        if (index >= words.length)
        {
            throw new IllegalArgumentException("missing argument " + index + " of '" + words[0] + "'");
        }
        return words[index];
    }

    private static void expect(final String[] words, final int index, final String keyword)
    {
        if (!arg(words, index).equals(keyword))
        {
            throw new IllegalArgumentException("expected '" + keyword + "' at word " + (index + 1) + ": found=" +
                words[index]);
        }
    }

    private static boolean has(final String[] words, final String flag)
    {
        for (int i = 2; i < words.length; i++)
        {
            if (words[i].equals(flag))
            {
                return true;
            }
            if (!words[i].equals("64bit") && !words[i].equals("maskable"))
            {
                throw new IllegalArgumentException("unknown MSI flag: flag=" + words[i]);
            }
        }
        return false;
    }

    private static int hex(final String text)
    {
        try
        {
            return Integer.parseInt(text, 16);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a hex number: value='" + text + "'");
        }
    }

    /** Sizes: decimal with an optional K, M or G suffix (powers of 1024). */
    static long size(final String text)
    {
        long unit = 1;
        String digits = text;
        final char last = Character.toUpperCase(text.isEmpty() ? ' ' : text.charAt(text.length() - 1));
        if (last == 'K' || last == 'M' || last == 'G')
        {
            unit = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            digits = text.substring(0, text.length() - 1);
        }
        try
        {
            return Long.parseLong(digits) * unit;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a size (decimal, optional K/M/G): size='" + text + "'");
        }
    }
}
