package io.pvnet.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A second JVM for cross-process tests: the same java binary, JVM flags and class path as the running test (debugger
 * and agent flags left out), then a main class and its arguments. Flags can be dropped (to test a JVM started without
 * one) or added.
 * <pre>{@code
 * Process guest = ChildJvm.of(CrossProcessGuest.class).arguments(path.toString()).start();
 * ChildJvm.Result result = ChildJvm.of(Probe.class).withoutFlags(f -> f.contains("jdk.incubator.vector")).run(60_000);
 * }</pre>
 */
public final class ChildJvm
{
    private final Class<?> mainClass;
    private final List<String> extraFlags = new ArrayList<>();
    private final List<String> arguments = new ArrayList<>();
    private Predicate<String> dropFlag = flag -> false;

    private ChildJvm(final Class<?> mainClass)
    {
        this.mainClass = mainClass;
    }

    /** @return a child JVM that will run {@code mainClass}'s {@code main}. */
    public static ChildJvm of(final Class<?> mainClass)
    {
        return new ChildJvm(mainClass);
    }

    /** Leaves out this JVM's flags that match (besides debugger and agent flags, always left out). */
    public ChildJvm withoutFlags(final Predicate<String> drop)
    {
        this.dropFlag = this.dropFlag.or(drop);
        return this;
    }

    /** Adds JVM flags after this JVM's ones. */
    public ChildJvm flags(final String... flags)
    {
        extraFlags.addAll(List.of(flags));
        return this;
    }

    /** The main class's arguments. */
    public ChildJvm arguments(final String... values)
    {
        arguments.addAll(List.of(values));
        return this;
    }

    /** @return the command line: java, flags, class path, main class, arguments. */
    public List<String> command()
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String flag : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!flag.startsWith("-agentlib:") && !flag.startsWith("-javaagent") &&
                !flag.startsWith("-XX:StartFlightRecording") && !dropFlag.test(flag))
            {
                command.add(flag);
            }
        }
        command.addAll(extraFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(arguments);
        return command;
    }

    /** @return a process builder for {@link #command()}, its stderr merged into its stdout. */
    public ProcessBuilder processBuilder()
    {
        return new ProcessBuilder(command()).redirectErrorStream(true);
    }

    /** Starts the child, stderr merged into stdout. */
    public Process start()
    {
        try
        {
            return processBuilder().start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Runs the child to its end (killed after {@code timeoutMs}).
     *
     * @return its exit code ({@code -1} when killed on timeout) and its output (stdout and stderr).
     */
    public Result run(final long timeoutMs) throws InterruptedException
    {
        final Process process = start();
        final StringBuffer output = new StringBuffer();
        final Thread reader = Thread.ofPlatform().daemon().start(() ->
        {
            try
            {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            catch (final IOException ignored)
            {
                // the process ended
            }
        });
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            reader.join(1000);
            return new Result(-1, output.toString());
        }
        reader.join(5000);
        return new Result(process.exitValue(), output.toString());
    }

    /**
     * How a child ended.
     *
     * @param exitCode its exit code, {@code -1} when it was killed on timeout.
     * @param output   what it printed (stdout and stderr).
     */
    public record Result(int exitCode, String output)
    {
        /** @return the last line printed, or "" when none. */
        public String lastLine()
        {
            return output.strip().lines().reduce((first, second) -> second).orElse("");
        }
    }
}
