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
                Integer.toHexString(max) + ")");
        }
        return (int)value;
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
