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
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib:jdwp") && !argument.startsWith("-XX:StartFlightRecording"))
            {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
