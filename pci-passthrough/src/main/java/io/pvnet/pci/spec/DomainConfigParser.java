package io.pvnet.pci.spec;

import io.pvnet.pci.PciAddress;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses an xl-style domain configuration ({@code key = value} lines, {@code #} comments, values that are numbers,
 * quoted strings or bracketed lists spanning lines) and validates its {@code pci = [...]} list entry by entry with
 * {@link PciAssignment}'s syntax. Errors point at the line and column of the offending text; nothing is returned
 * unless everything parses.
 */
public final class DomainConfigParser
{
    private DomainConfigParser()
    {
    }

    /**
     * Parses a domain configuration file's text.
     * @param text the whole file.
     * @return the domain's name and pci list.
     * @throws SpecSyntaxException naming the line and column of the first error.
     */
    public static DomainConfig parse(final String text)
    {
        final SpecCursor cursor = new SpecCursor(text);
        String name = null;
        List<PciAssignment> pci = List.of();
        while (true)
        {
            skipBlank(cursor, text);
            if (cursor.atEnd())
            {
                break;
            }
            final int keyAt = cursor.pos;
            while (!cursor.atEnd() && (Character.isLetterOrDigit(cursor.peek()) || cursor.peek() == '_'))
            {
                cursor.pos++;
            }
            if (cursor.pos == keyAt)
            {
                throw cursor.error("expected a setting name");
            }
            final String key = text.substring(keyAt, cursor.pos);
            skipSpaces(cursor);
            cursor.expect('=', "after '" + key + "'");
            skipSpaces(cursor);
            if (key.equals("pci"))
            {
                pci = pciList(cursor, text);
            }
            else if (key.equals("name"))
            {
                final int at = cursor.pos;
                name = value(cursor, text);
                if (name == null)
                {
                    throw cursor.errorAt(at, "name must be a quoted string");
                }
            }
            else
            {
                value(cursor, text);
            }
            skipSpaces(cursor);
            if (!cursor.atEnd() && cursor.peek() != '\n' && cursor.peek() != ';' && cursor.peek() != '#')
            {
                throw cursor.error("expected the end of the line after '" + key + "'");
            }
        }
        return new DomainConfig(name, pci);
    }

    private static void skipSpaces(final SpecCursor cursor)
    {
        while (cursor.peek() == ' ' || cursor.peek() == '\t' || cursor.peek() == '\r')
        {
            cursor.pos++;
        }
    }

    private static void skipBlank(final SpecCursor cursor, final String text)
    {
        while (!cursor.atEnd())
        {
            final int c = cursor.peek();
            if (c == '#')
            {
                while (!cursor.atEnd() && cursor.peek() != '\n')
                {
                    cursor.pos++;
                }
            }
            else if (Character.isWhitespace(c) || c == ';')
            {
                cursor.pos++;
            }
            else
            {
                return;
            }
        }
    }

    /** Skips a value; returns the string's content for a quoted string, else null. */
    private static String value(final SpecCursor cursor, final String text)
    {
        final int c = cursor.peek();
        if (c == '"' || c == '\'')
        {
            final int start = cursor.pos + 1;
            final int close = closingQuote(cursor, text);
            return text.substring(start, close);
        }
        if (c == '[')
        {
            cursor.pos++;
            skipBlank(cursor, text);
            while (!cursor.tryConsume(']'))
            {
                value(cursor, text);
                skipBlank(cursor, text);
                if (!cursor.tryConsume(','))
                {
                    skipBlank(cursor, text);
                    cursor.expect(']', "or ',' in the list");
                    break;
                }
                skipBlank(cursor, text);
            }
            return null;
        }
        final int start = cursor.pos;
        while (!cursor.atEnd() && !Character.isWhitespace(cursor.peek()) && cursor.peek() != ',' &&
            cursor.peek() != ']' && cursor.peek() != '#' && cursor.peek() != ';')
        {
            cursor.pos++;
        }
        if (cursor.pos == start)
        {
            throw cursor.error("expected a value");
        }
        return null;
    }

    private static int closingQuote(final SpecCursor cursor, final String text)
    {
        final char quote = (char)cursor.peek();
        final int open = cursor.pos;
        cursor.pos++;
        while (!cursor.atEnd() && cursor.peek() != quote && cursor.peek() != '\n')
        {
            cursor.pos++;
        }
        if (cursor.peek() != quote)
        {
            throw cursor.errorAt(open, "unterminated string");
        }
        cursor.pos++;
        return cursor.pos - 1;
    }

    private static List<PciAssignment> pciList(final SpecCursor cursor, final String text)
    {
        cursor.expect('[', "to start the pci list, e.g. pci = [ '0000:03:00.0' ]");
        final List<PciAssignment> list = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        skipBlank(cursor, text);
        while (!cursor.tryConsume(']'))
        {
            final int c = cursor.peek();
            if (c != '"' && c != '\'')
            {
                throw cursor.error("pci list entries must be quoted strings such as '0000:03:00.0'");
            }
            final int start = cursor.pos + 1;
            final int close = closingQuote(cursor, text);
            final PciAssignment assignment = assignment(text, start, close);
            if (!seen.add(assignment.selector().toString()))
            {
                throw new SpecSyntaxException(text, start, "device " + assignment.selector() + " is listed twice");
            }
            list.add(assignment);
            skipBlank(cursor, text);
            if (!cursor.tryConsume(','))
            {
                skipBlank(cursor, text);
                cursor.expect(']', "or ',' in the pci list");
                break;
            }
            skipBlank(cursor, text);
        }
        return list;
    }

    /**
     * Parses one {@code [DDDD:]BB:SS.F[@VSLOT][,key=value]*} entry on its own (positions relative to it).
     * @param entry one entry of a {@code pci} list, without quotes.
     * @return the assignment.
     */
    public static PciAssignment parseAssignment(final String entry)
    {
        return assignment(entry, 0, entry.length());
    }

    private static PciAssignment assignment(final String text, final int start, final int end)
    {
        final SpecCursor cursor = new SpecCursor(text, start, end, text, 0);
        final PciSelector selector = cursor.deviceAddress(true);
        int virtualSlot = -1;
        if (cursor.tryConsume('@'))
        {
            final int at = cursor.pos;
            virtualSlot = cursor.hex(2, 0xFF, "virtual slot");
            if (virtualSlot > PciAddress.MAX_SLOT)
            {
                throw cursor.errorAt(at, "virtual slot 0x" + Integer.toHexString(virtualSlot) +
                    " out of range (max 0x1f)");
            }
        }
        boolean permissive = false;
        boolean seize = false;
        boolean msiTranslate = false;
        boolean powerManagement = false;
        String rdmPolicy = "strict";
        final Set<String> keys = new HashSet<>();
        while (cursor.tryConsume(','))
        {
            final int keyAt = cursor.pos;
            while (!cursor.atEnd() && cursor.peek() != '=' && cursor.peek() != ',')
            {
                cursor.pos++;
            }
            final String key = text.substring(keyAt, cursor.pos);
            if (!keys.add(key))
            {
                throw cursor.errorAt(keyAt, "option '" + key + "' given twice");
            }
            cursor.expect('=', "after option '" + key + "'");
            final int valueAt = cursor.pos;
            while (!cursor.atEnd() && cursor.peek() != ',')
            {
                cursor.pos++;
            }
            final String value = text.substring(valueAt, cursor.pos);
            switch (key)
            {
                case "permissive" -> permissive = bool(cursor, valueAt, key, value);
                case "seize" -> seize = bool(cursor, valueAt, key, value);
                case "msitranslate" -> msiTranslate = bool(cursor, valueAt, key, value);
                case "power_mgmt" -> powerManagement = bool(cursor, valueAt, key, value);
                case "rdm_policy" ->
                {
                    if (!value.equals("strict") && !value.equals("relaxed"))
                    {
                        throw cursor.errorAt(valueAt, "rdm_policy must be strict or relaxed");
                    }
                    rdmPolicy = value;
                }
                default -> throw cursor.errorAt(keyAt, "unknown option '" + key +
                    "' (known: permissive, seize, msitranslate, power_mgmt, rdm_policy)");
            }
        }
        if (!cursor.atEnd())
        {
            throw cursor.error("unexpected text after the device");
        }
        return new PciAssignment(selector, virtualSlot, permissive, seize, msiTranslate, powerManagement, rdmPolicy);
    }

    private static boolean bool(final SpecCursor cursor, final int at, final String key, final String value)
    {
        if (value.equals("1"))
        {
            return true;
        }
        if (value.equals("0"))
        {
            return false;
        }
        throw cursor.errorAt(at, key + " must be 0 or 1, found '" + value + "'");
    }
}
