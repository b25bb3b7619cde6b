package io.pvnet.pci.spec;

import io.pvnet.pci.PciAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses a {@code pciback.hide} list in one of two grammars. Either the whole list parses and validates, or a
 * {@link SpecSyntaxException} names the offending text and its position: nothing is ever half-applied (xen-pciback
 * also hides nothing on a syntax error; NetBSD skips bad entries, which pvnet refuses to do).
 * <dl>
 * <dt>{@link Grammar#XEN} (Linux {@code pci_stub.c})</dt>
 * <dd>A sequence of parenthesised groups, whitespace allowed around groups and before numbers:
 * {@code (DDDD:BB:SS.F)}, {@code (DDDD:BB:SS.*)}, {@code (DDDD:BB:*.*)}, {@code (BB:SS.F)}, {@code (BB:SS.*)},
 * {@code (BB:*.*)}, all hex; domain &le; 0xFFFF, bus &le; 0xFF, slot &lt; 32, function &lt; 8. No {@code (BB:*.F)}.</dd>
 * <dt>{@link Grammar#NETBSD} (NetBSD {@code pciback.c})</dt>
 * <dd>{@code (bus:dev.func)} groups with no whitespace and no wildcards; an optional prefix is accepted only as the
 * literal {@code 0000:}; the whole list must fit NetBSD's 64-byte buffer (63 characters), which NetBSD would silently
 * truncate.</dd>
 * </dl>
 */
public final class HideSpecParser
{
    /** NetBSD copies the option into a 64-byte buffer with strncpy. */
    public static final int NETBSD_MAX_LENGTH = 63;
    /** The name xen-pciback's error message gives the list ({@code pci_stub.c}). */
    static final String XEN_LIST_NAME = "pci_devs_to_hide";
    /** The boot option NetBSD reads the list from. */
    static final String NETBSD_LIST_NAME = "pciback.hide";

    /** The grammar a list is parsed with. */
    public enum Grammar
    {
        /** Linux xen-pciback's {@code pci_devs_to_hide} (parenthesised groups, wildcards, whitespace). */
        XEN,
        /** NetBSD's {@code pciback.hide} boot option (no wildcards, no whitespace, 63 characters). */
        NETBSD
    }

    private HideSpecParser()
    {
    }

    /**
     * Parses {@code text} in {@code grammar}.
     * @param text the hide list.
     * @param grammar which grammar.
     * @return the spec.
     * @throws SpecSyntaxException naming the offending text and its position.
     */
    public static HideSpec parse(final String text, final Grammar grammar)
    {
        return grammar == Grammar.XEN ? parseXen(text) : parseNetBsd(text);
    }

    /**
     * Parses {@code text} in the Xen grammar.
     * @param text the hide list.
     * @return the spec.
     * @throws SpecSyntaxException naming the offending text and its position.
     */
    public static HideSpec parseXen(final String text)
    {
        final SpecCursor cursor = new SpecCursor(text);
        final List<PciSelector> selectors = new ArrayList<>();
        cursor.skipWhitespace();
        if (cursor.atEnd())
        {
            throw cursor.error("empty hide list: expected '(' starting a group such as (0000:03:00.0)");
        }
        while (!cursor.atEnd())
        {
            final int groupStart = cursor.pos;
            try
            {
                cursor.expect('(', "to start a group such as (0000:03:00.0)");
                selectors.add(xenGroup(cursor));
                cursor.expect(')', "to close the group");
            }
            catch (final SpecSyntaxException ex)
            {
                throw SpecSyntaxException.inGroup(XEN_LIST_NAME, ex, groupStart, groupEnd(text, groupStart));
            }
            cursor.skipWhitespace();
        }
        return new HideSpec(Grammar.XEN, selectors);
    }

    private static PciSelector xenGroup(final SpecCursor cursor)
    {
        cursor.skipWhitespace();
        final int firstAt = cursor.pos;
        final int first = cursor.hex(8, 0xFFFF, "domain or bus");
        cursor.expect(':', "after the domain or bus");
        cursor.skipWhitespace();
        final int secondAt = cursor.pos;
        final int second = cursor.hexOrStar(8, 0xFFFF, "bus or slot");
        if (second == SpecCursor.STAR)
        {
            // (BB:*.*)
            checkBus(cursor, firstAt, first);
            cursor.expect('.', "after the slot wildcard");
            if (!cursor.tryConsume('*'))
            {
                throw cursor.error("a slot wildcard needs a function wildcard: (BB:*.*); (BB:*.F) is not a form " +
                    "xen-pciback accepts");
            }
            return new PciSelector(0, first, PciSelector.ANY, PciSelector.ANY);
        }
        if (cursor.tryConsume(':'))
        {
            // (DDDD:BB:SS.F), (DDDD:BB:SS.*), (DDDD:BB:*.*)
            checkBus(cursor, secondAt, second);
            cursor.skipWhitespace();
            final int slotAt = cursor.pos;
            final int slot = cursor.hexOrStar(8, 0xFF, "slot");
            cursor.expect('.', "after the slot");
            if (slot == SpecCursor.STAR)
            {
                if (!cursor.tryConsume('*'))
                {
                    throw cursor.error("a slot wildcard needs a function wildcard: (DDDD:BB:*.*)");
                }
                return new PciSelector(first, second, PciSelector.ANY, PciSelector.ANY);
            }
            checkSlot(cursor, slotAt, slot);
            return new PciSelector(first, second, slot, function(cursor));
        }
        if (cursor.peek() == '.')
        {
            cursor.pos++;
            checkBus(cursor, firstAt, first);
            checkSlot(cursor, secondAt, second);
            return new PciSelector(0, first, second, function(cursor));
        }
        throw cursor.error("expected ':' or '.' after " + Integer.toHexString(second));
    }

    private static int function(final SpecCursor cursor)
    {
        if (cursor.tryConsume('*'))
        {
            return PciSelector.ANY;
        }
        cursor.skipWhitespace();
        return cursor.hex(8, PciAddress.MAX_FUNCTION, "function");
    }

    private static void checkBus(final SpecCursor cursor, final int at, final int bus)
    {
        if (bus > PciAddress.MAX_BUS)
        {
            throw cursor.errorAt(at, "bus 0x" + Integer.toHexString(bus) + " out of range (max 0xff)");
        }
    }

    private static void checkSlot(final SpecCursor cursor, final int at, final int slot)
    {
        if (slot > PciAddress.MAX_SLOT)
        {
            throw cursor.errorAt(at, "slot 0x" + Integer.toHexString(slot) + " out of range (max 0x1f)");
        }
    }

    /**
     * One past the end of the group starting at {@code start}: its ')' included, or up to the next '(' or the end of
     * the text when it is not closed.
     */
    private static int groupEnd(final String text, final int start)
    {
        final int close = text.indexOf(')', start);
        final int nextOpen = text.indexOf('(', start + 1);
        if (close >= 0 && (nextOpen < 0 || close < nextOpen))
        {
            return close + 1;
        }
        return nextOpen >= 0 ? nextOpen : text.length();
    }

    /**
     * Parses {@code text} in the NetBSD grammar.
     * @param text the hide list.
     * @return the spec.
     * @throws SpecSyntaxException naming the offending text and its position.
     */
    public static HideSpec parseNetBsd(final String text)
    {
        final SpecCursor cursor = new SpecCursor(text);
        if (text.isEmpty())
        {
            throw cursor.error("empty hide list: expected '(' starting a group such as (03:00.0)");
        }
        if (text.length() > NETBSD_MAX_LENGTH)
        {
            throw cursor.errorAt(NETBSD_MAX_LENGTH, "longer than NetBSD's 64-byte pciback.hide buffer (" +
                text.length() + " characters, at most " + NETBSD_MAX_LENGTH + "); NetBSD would silently drop the rest");
        }
        final List<PciSelector> selectors = new ArrayList<>();
        while (!cursor.atEnd())
        {
            final int groupStart = cursor.pos;
            try
            {
                selectors.add(netBsdGroup(text, cursor));
            }
            catch (final SpecSyntaxException ex)
            {
                throw SpecSyntaxException.inGroup(NETBSD_LIST_NAME, ex, groupStart, groupEnd(text, groupStart));
            }
        }
        return new HideSpec(Grammar.NETBSD, selectors);
    }

    private static PciSelector netBsdGroup(final String text, final SpecCursor cursor)
    {
        cursor.expect('(', "to start a group such as (03:00.0) (NetBSD allows no whitespace)");
        final int groupEnd = textEndOfGroup(text, cursor.pos);
        if (text.substring(cursor.pos, groupEnd).chars().filter(c -> c == ':').count() >= 2)
        {
            if (!text.startsWith("0000:", cursor.pos))
            {
                throw cursor.error("NetBSD accepts only the literal domain prefix 0000:");
            }
            cursor.pos += 5;
        }
        final int busAt = cursor.pos;
        final int bus = cursor.hex(8, 0xFFFF, "bus");
        checkBus(cursor, busAt, bus);
        cursor.expect(':', "after the bus");
        final int slotAt = cursor.pos;
        if (cursor.peek() == '*')
        {
            throw cursor.error("NetBSD's grammar has no wildcards");
        }
        final int slot = cursor.hex(8, 0xFF, "device");
        checkSlot(cursor, slotAt, slot);
        cursor.expect('.', "after the device");
        if (cursor.peek() == '*')
        {
            throw cursor.error("NetBSD's grammar has no wildcards");
        }
        final int function = cursor.hex(8, PciAddress.MAX_FUNCTION, "function");
        cursor.expect(')', "to close the group (NetBSD allows no whitespace)");
        return new PciSelector(0, bus, slot, function);
    }

    private static int textEndOfGroup(final String text, final int from)
    {
        final int close = text.indexOf(')', from);
        return close < 0 ? text.length() : close;
    }
}
