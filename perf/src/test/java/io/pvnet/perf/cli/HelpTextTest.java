package io.pvnet.perf.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every command's {@code --help}: each parameter labelled (no picocli {@code <fieldName>}), wrapped within 100 columns. */
class HelpTextTest
{
    private static final Pattern UNLABELLED = Pattern.compile("<[a-zA-Z]+>");

    @Test
    void shouldLabelEveryParameterAndWrapEveryCommandsHelpAt100Columns()
    {
        final List<String> problems = new ArrayList<>();
        scan(PvnetMain.commandLine(), "pvnet", problems);
        assertEquals(List.of(), problems);
    }

    private static void scan(final CommandLine command, final String path, final List<String> problems)
    {
        final String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
        for (final String line : usage.split("\n"))
        {
            if (line.length() > 100)
            {
                problems.add(path + ": " + line.length() + " columns: " + line);
            }
            if (UNLABELLED.matcher(line).find())
            {
                problems.add(path + ": unlabelled parameter: " + line.strip());
            }
        }
        for (final var sub : command.getSubcommands().entrySet())
        {
            if (!sub.getKey().equals("help"))
            {
                scan(sub.getValue(), path + " " + sub.getKey(), problems);
            }
        }
    }
}
