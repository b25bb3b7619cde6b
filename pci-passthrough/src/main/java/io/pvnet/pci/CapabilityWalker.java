package io.pvnet.pci;

import java.util.ArrayList;
import java.util.List;

/**
 * Walks the capability list and the extended capability list with loop protection, as lspci (a "been there" table)
 * and Linux/VFIO (a TTL of 48 standard and 960 extended slots) do. A malformed chain never loops forever and never
 * reads outside the image: the walk stops and says why.
 */
public final class CapabilityWalker
{
    /** Slots a standard chain can occupy: (256 - 64) / 4. */
    public static final int MAX_STANDARD = (PciRegisters.CONFIG_SPACE_SIZE - PciRegisters.STANDARD_HEADER_SIZE) / 4;
    /** Slots an extended chain can occupy: (4096 - 256) / 4. */
    public static final int MAX_EXTENDED =
        (PciRegisters.EXTENDED_CONFIG_SPACE_SIZE - PciRegisters.EXTENDED_CAPABILITY_START) / 4;

    /** How a walk ended. */
    public enum End
    {
        /** The status register says there is no list, or the extended space is absent or empty. */
        NO_LIST,
        /** A next pointer of 0: the normal end. */
        END,
        /** A pointer led back to an entry already visited (lspci: {@code <chain looped>}). */
        LOOPED,
        /** An id of 0xFF (lspci: {@code <chain broken>}) or an all-ones extended header. */
        BROKEN,
        /** A pointer into the header (below 0x40, or below 0x100 for the extended list). */
        BAD_POINTER,
        /** The entry lies past the bytes the source could read (lspci: {@code <access denied>}). */
        UNREADABLE,
        /** More entries than slots: cannot happen with the visited table, kept as Linux's last line of defence. */
        TTL_EXCEEDED
    }

    /**
     * The entries found and how the walk ended.
     *
     * @param capabilities entries in chain order.
     * @param end          why the walk stopped.
     * @param stopOffset   the offending offset for LOOPED, BROKEN, BAD_POINTER and UNREADABLE, else 0.
     */
    public record Walk(List<Capability> capabilities, End end, int stopOffset)
    {
        /**
         * The first entry with {@code id}, or null.
         * @param id a capability id ({@code PciRegisters.CAP_ID_*} or {@code EXT_CAP_ID_*}).
         * @return the capability, or null when the list has none with that id.
         */
        public Capability find(final int id)
        {
            for (final Capability c : capabilities)
            {
                if (c.id() == id)
                {
                    return c;
                }
            }
            return null;
        }
    }

    private CapabilityWalker()
    {
    }

    /**
     * Walks the standard list starting at the capability pointer.
     * @param config the config image.
     * @return the walk: the capabilities in list order and how the list ended.
     */
    public static Walk walk(final ConfigSpace config)
    {
        final List<Capability> found = new ArrayList<>();
        if ((config.readWord(PciRegisters.STATUS) & PciRegisters.STATUS_CAP_LIST) == 0 ||
            !config.isReadable(PciRegisters.CAPABILITY_LIST, 1))
        {
            return new Walk(found, End.NO_LIST, 0);
        }
        final int pointerOffset = config.headerLayout() == PciRegisters.HEADER_TYPE_CARDBUS ?
            0x14 : PciRegisters.CAPABILITY_LIST;
        final boolean[] visited = new boolean[PciRegisters.CONFIG_SPACE_SIZE / 4];
        int pos = config.readByte(pointerOffset) & 0xFC;
        for (int ttl = MAX_STANDARD; pos != 0; ttl--)
        {
            final End stop = stopAt(config, pos, PciRegisters.STANDARD_HEADER_SIZE, 2, visited, ttl);
            if (stop != null)
            {
                return new Walk(found, stop, pos);
            }
            final int id = config.readByte(pos);
            if (id == 0xFF)
            {
                return new Walk(found, End.BROKEN, pos);
            }
            final int next = config.readByte(pos + 1) & 0xFC;
            found.add(new Capability(pos, id, 0, next, false));
            pos = next;
        }
        return new Walk(found, End.END, 0);
    }

    /**
     * Walks the extended list at 0x100; NO_LIST when the image has no extended space or its first header is 0.
     * @param config the config image.
     * @return the walk: the extended capabilities in list order and how the list ended.
     */
    public static Walk walkExtended(final ConfigSpace config)
    {
        final List<Capability> found = new ArrayList<>();
        int pos = PciRegisters.EXTENDED_CAPABILITY_START;
        if (!config.isReadable(pos, 4))
        {
            return new Walk(found, End.NO_LIST, 0);
        }
        final int first = config.readDword(pos);
        if (first == 0 || first == 0xFFFFFFFF)
        {
            return new Walk(found, first == 0 ? End.NO_LIST : End.BROKEN, first == 0 ? 0 : pos);
        }
        final boolean[] visited = new boolean[PciRegisters.EXTENDED_CONFIG_SPACE_SIZE / 4];
        for (int ttl = MAX_EXTENDED; pos != 0; ttl--)
        {
            final End stop = stopAt(config, pos, PciRegisters.EXTENDED_CAPABILITY_START, 4, visited, ttl);
            if (stop != null)
            {
                return new Walk(found, stop, pos);
            }
            final int header = config.readDword(pos);
            if (header == 0xFFFFFFFF)
            {
                return new Walk(found, End.BROKEN, pos);
            }
            if (header == 0)
            {
                break;
            }
            final int next = (header >>> 20) & 0xFFC;
            found.add(new Capability(pos, header & 0xFFFF, (header >>> 16) & 0xF, next, true));
            pos = next;
        }
        return new Walk(found, End.END, 0);
    }

    /**
     * The checks both lists make before reading the capability at {@code pos}: a pointer into the header, a header
     * that cannot be read, a loop, a list longer than any real one. Marks {@code pos} visited when it passes.
     *
     * @param lowest      the lowest offset a capability of this list may have.
     * @param headerBytes bytes of its header that must be readable.
     * @param stepsLeft   capabilities the list may still have.
     * @return why the walk ends at {@code pos}, or {@code null} to read it.
     */
    private static End stopAt(
        final ConfigSpace config, final int pos, final int lowest, final int headerBytes, final boolean[] visited,
        final int stepsLeft)
    {
        if (pos < lowest)
        {
            return End.BAD_POINTER;
        }
        if (!config.isReadable(pos, headerBytes))
        {
            return End.UNREADABLE;
        }
        if (visited[pos >> 2])
        {
            return End.LOOPED;
        }
        if (stepsLeft == 0)
        {
            return End.TTL_EXCEEDED;
        }
        visited[pos >> 2] = true;
        return null;
    }
}
