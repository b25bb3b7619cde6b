package io.pvnet.pci.spec;

/**
 * A position in a specification's text, with the few reads the grammars need; every failure is a
 * {@link SpecSyntaxException} pointing at the current position in the whole text.
 */
final class SpecCursor
{
    /** Sentinel for {@link #hexOrStar}: the text had {@code *}. */
    static final int STAR = -1;

    private final String text;
    private final int end;
    private final String reportText;
    private final int reportBase;
    int pos;

    /**
     * @param text       the text to read.
     * @param start      first character to read.
     * @param end        one past the last character to read.
     * @param reportText the text errors show (may be larger, e.g. the whole file a string came from).
     * @param reportBase offset of {@code text}'s character 0 in {@code reportText}.
     */
    SpecCursor(final String text, final int start, final int end, final String reportText, final int reportBase)
    {
        this.text = text;
        this.pos = start;
        this.end = end;
        this.reportText = reportText;
        this.reportBase = reportBase;
    }

    SpecCursor(final String text)
    {
        this(text, 0, text.length(), text, 0);
    }

    boolean atEnd()
    {
        return pos >= end;
    }

    int peek()
    {
        return pos < end ? text.charAt(pos) : -1;
    }

    boolean tryConsume(final char c)
    {
        if (peek() == c)
        {
            pos++;
            return true;
        }
        return false;
    }

    void skipWhitespace()
    {
        while (pos < end && Character.isWhitespace(text.charAt(pos)))
        {
            pos++;
        }
    }

    void expect(final char c, final String context)
    {
        if (!tryConsume(c))
        {
            throw error("expected '" + c + "' " + context + (atEnd() ? "" : ", found '" + text.charAt(pos) + "'"));
        }
    }

    /** Reads 1..maxDigits hex digits and checks the value against {@code max}. */
    int hex(final int maxDigits, final int max, final String what)
    {
        return (int)hexLong(maxDigits, max, what);
    }

    /** Reads 1..maxDigits hex digits as an unsigned value and checks it against {@code max}. */
    long hexLong(final int maxDigits, final long max, final String what)
    {
        final int start = pos;
        while (pos < end && Character.digit(text.charAt(pos), 16) >= 0)
        {
            pos++;
        }
        if (pos == start)
        {
            throw error("expected hex " + what + (atEnd() ? "" : ", found '" + text.charAt(pos) + "'"));
        }
        if (pos - start > maxDigits)
        {
            throw errorAt(start, what + " has more than " + maxDigits + " hex digits");
        }
        final long value = Long.parseLong(text.substring(start, pos), 16);
        if (value > max)
        {
            throw errorAt(start, what + " 0x" + Long.toHexString(value) + " out of range (max 0x" +
                Long.toHexString(max) + ")");
        }
        return value;
    }

    /**
     * Reads {@code [DDDD:]BB:SS.F} in hex (xl's and sysfs' form, 4/2/2/1 digits at most); with
     * {@code functionWildcard} the function may be {@code *}.
     */
    PciSelector deviceAddress(final boolean functionWildcard)
    {
        final int firstAt = pos;
        final int first = hex(4, 0xFFFF, "domain or bus");
        expect(':', "after the domain or bus");
        final int secondAt = pos;
        final int second = hex(2, 0xFF, "bus or slot");
        final int domain;
        final int bus;
        final int slot;
        final int slotAt;
        if (tryConsume(':'))
        {
            domain = first;
            bus = second;
            slotAt = pos;
            slot = hex(2, 0xFF, "slot");
        }
        else
        {
            if (first > io.pvnet.pci.PciAddress.MAX_BUS)
            {
                throw errorAt(firstAt, "bus 0x" + Integer.toHexString(first) + " out of range (max 0xff)");
            }
            domain = 0;
            bus = first;
            slotAt = secondAt;
            slot = second;
        }
        if (slot > io.pvnet.pci.PciAddress.MAX_SLOT)
        {
            throw errorAt(slotAt, "slot 0x" + Integer.toHexString(slot) + " out of range (max 0x1f)");
        }
        expect('.', "after the slot");
        final int function = functionWildcard && tryConsume('*') ? PciSelector.ANY :
            hex(1, io.pvnet.pci.PciAddress.MAX_FUNCTION, "function");
        return new PciSelector(domain, bus, slot, function);
    }

    int hexOrStar(final int maxDigits, final int max, final String what)
    {
        return tryConsume('*') ? STAR : hex(maxDigits, max, what);
    }

    SpecSyntaxException error(final String reason)
    {
        return errorAt(pos, reason);
    }

    SpecSyntaxException errorAt(final int at, final String reason)
    {
        return new SpecSyntaxException(reportText, reportBase + at, reason);
    }
}
