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

    @Test
    void shouldListEveryIdleModeInTheHelpOfEveryCommandThatTakesIdle()
    {
        final List<String> problems = new ArrayList<>();
        for (final var sub : PvnetMain.commandLine().getSubcommands().entrySet())
        {
            final CommandLine.Model.OptionSpec idle = sub.getValue().getCommandSpec().findOption("--idle");
            if (idle == null)
            {
                continue;
            }
            // the converter takes every mode: the help says so
            final String help = String.join(" ", idle.description());
            for (final io.pvnet.ring.event.IdleMode mode : io.pvnet.ring.event.IdleMode.values())
            {
                if (!Pattern.compile("\\b" + Pattern.quote(mode.configName()) + "\\b").matcher(help).find())
                {
                    problems.add("pvnet " + sub.getKey() + " --idle does not list " + mode.configName() + ": " + help);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    private static void scan(final CommandLine command, final String path, final List<String> problems)
    {
        final String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
        final String[] lines = usage.split("\n");
        for (int i = 0; i + 1 < lines.length; i++)
        {
            // picocli may wrap after a dot, a slash or an equals sign: "latency." then "svg (plot)", "1.." then "16",
            // "-Dpvnet." then "idle.stream..." split one name or range over two lines (a subcommand's row, "show
            // Decode ...", has its name followed by a column of spaces; a sentence's next word is not glued to it)
            if (lines[i].matches(".*[ A-Za-z0-9](\\.\\.?|/|=)$") && !lines[i].endsWith("e.g.") &&
                lines[i + 1].strip().matches("[a-z0-9][^ ]*( [^ ].*)?"))
            {
                problems.add(path + ": a name split at its dot: " + lines[i].strip() + " / " + lines[i + 1].strip());
            }
        }
        for (final String line : lines)
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
