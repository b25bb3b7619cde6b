package io.pvnet.perf.vif;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a second JVM running one of this module's classes, with the same java binary, JVM flags and class path as
 * this one (debugger and flight-recorder agents left out), its stderr merged into its stdout.
 */
public final class ChildJvm
{
    /**
     * The main class of the {@code pvnet} command line, by name: the scenarios below the CLI start its commands
     * ({@code pvnet switch}, {@code pvnet guest}) as child processes without depending on the CLI's package, which
     * depends on them.
     */
    public static final String PVNET_MAIN_CLASS = "io.pvnet.perf.cli.PvnetMain";

    /**
     * About how long a child JVM takes from its start to its first work, ms, for bench plans: the idle scenario's
     * switch and two guests were ready 3.3 s after the first started, one after the other (2026-12-07, 2 vCPUs, load 3-4).
     */
    public static final long START_ESTIMATE_MS = 1_100;

    private ChildJvm()
    {
    }

    /**
     * @param mainClass the class whose {@code main} runs.
     * @param arguments its arguments.
     * @return the started process.
     */
    public static Process start(final Class<?> mainClass, final String... arguments) throws IOException
    {
        return start(List.of(), mainClass.getName(), arguments);
    }

    /**
     * As {@link #start(Class, String...)}, with the JVM flags the {@code pvnet} launcher gives {@code pvnet switch} and
     * {@code pvnet guest} ({@code daemon-jvm.options} beside {@code jvm.options}, and attach off): a figure measured on
     * such a child is what a user of those commands gets.
     *
     * @param mainClass the class whose {@code main} runs.
     * @param arguments its arguments.
     * @return the started process.
     */
    public static Process startDaemon(final Class<?> mainClass, final String... arguments) throws IOException
    {
        return startDaemon(mainClass.getName(), arguments);
    }

    /**
     * As {@link #startDaemon(Class, String...)}, the main class given by name (for example {@link #PVNET_MAIN_CLASS}).
     *
     * @param mainClassName the binary name of the class whose {@code main} runs; on this JVM's class path.
     * @param arguments     its arguments.
     * @return the started process.
     */
    public static Process startDaemon(final String mainClassName, final String... arguments) throws IOException
    {
        final List<String> flags = new ArrayList<>(daemonFlags());
        flags.add("-XX:+DisableAttachMechanism");
        return start(flags, mainClassName, arguments);
    }

    /** {@return the flags of {@code daemon-jvm.options} (built into the jar from perf/src/main/jvm)} */
    public static List<String> daemonFlags() throws IOException
    {
        try (java.io.InputStream in = ChildJvm.class.getResourceAsStream("/io/pvnet/perf/daemon-jvm.options"))
        {
            if (in == null)
            {
                throw new IOException("daemon-jvm.options is not on the class path (build perf)");
            }
            final String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
        }
    }

    private static Process start(final List<String> extraFlags, final String mainClassName, final String... arguments)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib:jdwp") && !argument.startsWith("-XX:StartFlightRecording"))
            {
                command.add(argument);
            }
        }
        command.addAll(extraFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClassName);
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
