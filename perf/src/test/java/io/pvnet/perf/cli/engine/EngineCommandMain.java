package io.pvnet.perf.cli.engine;

import picocli.CommandLine;

import java.util.Arrays;

/**
 * Runs one of the engine's host commands in its own JVM, as {@code ./pvnet switch|guest|gen ...} does (the executable
 * jar lives in perf, which the engine's tests cannot depend on): {@code EngineCommandMain switch ARGS...}.
 */
public final class EngineCommandMain
{
    private EngineCommandMain()
    {
    }

    public static void main(final String[] args)
    {
        final Object command = switch (args[0])
        {
            case "switch" -> new SwitchCommand();
            case "guest" -> new GuestCommand();
            case "gen" -> new GenCommand();
            case "stat" -> new StatCommand();
            case "ifconfig" -> new IfconfigCommand();
            case "vif-run" -> new io.pvnet.perf.vif.VifRunCommand();
            default -> throw new IllegalArgumentException("command=" + args[0] + " must be switch, guest, gen, stat or ifconfig");
        };
        System.exit(new CommandLine(command).execute(Arrays.copyOfRange(args, 1, args.length)));
    }
}
