package io.pvnet.perf.cli;

import io.pvnet.perf.bench.JvmOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs the JMH suite in {@code perf/}, passing every argument to JMH (for example {@code ./pvnet jmh Ring -prof gc}).
 * Forks get pvnet's JVM flags (see {@link JvmOptions}) appended.
 */
@Command(
    name = "jmh",
    description = "Run JMH benchmarks: ./pvnet jmh [REGEX] [JMH options], e.g. ./pvnet jmh SharedRing -prof gc; -h or --help for JMH's help.",
    // JMH parses its own options, including -h
    helpCommand = false)
public final class JmhCommand implements Callable<Integer>
{
    @Parameters(arity = "0..*", paramLabel = "JMH-ARG",
        description = "Arguments passed to JMH as they are: a benchmark REGEX, then JMH options (-f, -wi, -prof gc).")
    List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception
    {
        final List<String> args = jmhArguments(jmhArgs);
        if (!args.contains("-jvmArgsAppend"))
        {
            args.add("-jvmArgsAppend");
            args.add(String.join(" ", JvmOptions.flags()));
        }
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }

    /**
     * @param given the arguments after {@code jmh}.
     * @return them for JMH: {@code --help}, which every pvnet command takes, as JMH's {@code -h} (JMH refuses it).
     */
    static List<String> jmhArguments(final List<String> given)
    {
        final List<String> args = new ArrayList<>(given.size());
        for (final String arg : given)
        {
            args.add("--help".equals(arg) ? "-h" : arg);
        }
        return args;
    }
}
