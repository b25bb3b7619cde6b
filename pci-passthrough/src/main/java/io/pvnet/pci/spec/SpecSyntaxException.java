package io.pvnet.pci.spec;

/**
 * A specification (hide list, domain configuration) that does not parse: says what is wrong, where (0-based character
 * position, and line and column for multi-line text), and shows the text with a caret under the offending character.
 * Thrown before anything is applied.
 */
public final class SpecSyntaxException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String input;
    private final int position;
    private final String reason;

    public SpecSyntaxException(final String input, final int position, final String reason)
    {
        super(format(input, position, reason));
        this.input = input;
        this.position = position;
        this.reason = reason;
    }

    /** The text that failed to parse. */
    public String input()
    {
        return input;
    }

    /** 0-based offset of the offending character in {@link #input()} (may equal its length: "at end"). */
    public int position()
    {
        return position;
    }

    public String reason()
    {
        return reason;
    }

    /** 1-based line of {@link #position()}. */
    public int line()
    {
        int line = 1;
        for (int i = 0; i < position && i < input.length(); i++)
        {
            if (input.charAt(i) == '\n')
            {
                line++;
            }
        }
        return line;
    }

    /** 1-based column of {@link #position()}. */
    public int column()
    {
        final int lineStart = input.lastIndexOf('\n', Math.max(0, position - 1)) + 1;
        return position - (position > 0 && input.charAt(position - 1) == '\n' ? position : lineStart) + 1;
    }

    private static String format(final String input, final int position, final String reason)
    {
        final int lineStart = position == 0 ? 0 : input.lastIndexOf('\n', position - 1) + 1;
        int lineEnd = input.indexOf('\n', position);
        if (lineEnd < 0)
        {
            lineEnd = input.length();
        }
        int line = 1;
        for (int i = 0; i < lineStart; i++)
        {
            if (input.charAt(i) == '\n')
            {
                line++;
            }
        }
        final String rest = position >= input.length() ? "" : input.substring(position, lineEnd);
        final StringBuilder out = new StringBuilder();
        out.append(reason).append(" at line ").append(line).append(", column ").append(position - lineStart + 1)
            .append(position >= input.length() ? " (end of text)" : " (at \"" + rest + "\")").append('\n');
        out.append("  ").append(input, lineStart, lineEnd).append('\n');
        out.append("  ").append(" ".repeat(position - lineStart)).append('^');
        return out.toString();
    }
}
