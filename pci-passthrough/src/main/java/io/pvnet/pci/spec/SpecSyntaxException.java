package io.pvnet.pci.spec;

/**
 * A specification (hide list, domain configuration) that does not parse: says what is wrong, where (0-based character
 * position, and line and column for multi-line text), and shows the text with a caret under the offending character.
 * Thrown before anything is applied.
 */
public final class SpecSyntaxException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /** The text that failed to parse. */
    private final String input;
    /** 0-based offset of the offending character. */
    private final int position;
    /** What is wrong, without position or text. */
    private final String reason;

    /** 0-based offset of the character the parser stopped at. */
    private final int detailPosition;

    /**
     * A syntax error at {@code position} of {@code input}.
     * @param input the text.
     * @param position 0-based offset of the offending character.
     * @param reason what is wrong.
     */
    public SpecSyntaxException(final String input, final int position, final String reason)
    {
        super(format(input, position, reason));
        this.input = input;
        this.position = position;
        this.reason = reason;
        this.detailPosition = position;
    }

    private SpecSyntaxException(final String input, final int position, final int detailPosition, final String reason,
        final String message)
    {
        super(message);
        this.input = input;
        this.position = position;
        this.reason = reason;
        this.detailPosition = detailPosition;
    }

    /**
     * Reports {@code cause} as xen-pciback reports a bad hide list: pointing at the start of the group that failed
     * and quoting that group whole, {@code Error parsing pci_devs_to_hide at "(0000:82.0.0)"}, followed by what is
     * wrong and where inside the group, then the text with a caret under the group's start.
     *
     * @param listName   the parameter's name as the kernel prints it ({@code pci_devs_to_hide}).
     * @param groupStart offset of the group's first character (its '(' when it has one).
     * @param groupEnd   one past its last character.
     * @param cause the error inside the group.
     * @return the error as the kernel would report it.
     */
    public static SpecSyntaxException inGroup(final String listName, final SpecSyntaxException cause,
        final int groupStart, final int groupEnd)
    {
        final String input = cause.input();
        final String group = input.substring(groupStart, Math.max(groupStart, groupEnd));
        final String reason = "Error parsing " + listName + " at \"" + group + "\": " + cause.reason();
        final int lineStart = groupStart == 0 ? 0 : input.lastIndexOf('\n', groupStart - 1) + 1;
        int lineEnd = input.indexOf('\n', groupStart);
        if (lineEnd < 0)
        {
            lineEnd = input.length();
        }
        final SpecSyntaxException located = new SpecSyntaxException(input, cause.detailPosition(), "");
        final String message = reason + " (line " + located.line() + ", column " + located.column() + ")\n" +
            "  " + input.substring(lineStart, lineEnd) + "\n" +
            "  " + " ".repeat(groupStart - lineStart) + '^';
        return new SpecSyntaxException(input, groupStart, cause.detailPosition(), reason, message);
    }

    /**
     * The text that failed to parse.
     * @return the text.
     */
    public String input()
    {
        return input;
    }

    /**
     * 0-based offset of the offending character in {@link #input()} (may equal its length: "at end").
     * @return the offset.
     */
    public int position()
    {
        return position;
    }

    /**
     * 0-based offset of the character the parser stopped at: {@link #position()} itself, or, for an error reported
     * at the start of its group ({@link #inGroup}), the character inside the group.
     * @return the offset.
     */
    public int detailPosition()
    {
        return detailPosition;
    }

    /** {@return what is wrong, without position or text} */
    public String reason()
    {
        return reason;
    }

    /**
     * 1-based line of {@link #position()}.
     * @return the line.
     */
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

    /**
     * 1-based column of {@link #position()}.
     * @return the column.
     */
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
