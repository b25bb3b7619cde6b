package io.pvnet.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace a test creates and removes ({@code ip netns add/del}), and the commands it runs inside. All
 * traffic of a test stays in namespaces it made. {@link #close()} deletes the namespace (and the devices in it) even
 * after a failure; use try-with-resources.
 */
public final class Netns implements AutoCloseable
{
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** Names this class and the kernel tests give namespaces: {@code pvnet-PID-N-tag}, {@code pvnet-gso-PID}. */
    private static final java.util.regex.Pattern OURS =
        java.util.regex.Pattern.compile("^pvnet-(?:[a-z]+-)?(\\d+)(?:-\\S*)?$");
    private static final java.util.concurrent.atomic.AtomicBoolean SWEPT = new java.util.concurrent.atomic.AtomicBoolean();

    private final String name;

    private Netns(final String name)
    {
        this.name = name;
    }

    /** Skips the calling test (class) with the stated reason when kernel tests cannot run here. */
    public static void assumeAvailable()
    {
        final String reason = unavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(reason == null, "kernel tests skipped: " + reason);
    }

    /** @return why kernel tests cannot run here, or null when they can (root, /dev/net/tun, the ip tool). */
    public static String unavailableReason()
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "not root (user.name=" + System.getProperty("user.name") + ")";
        }
        if (!Files.exists(Path.of("/dev/net/tun")))
        {
            return "/dev/net/tun is missing";
        }
        try
        {
            if (run(10, "ip", "netns", "list").exitCode != 0)
            {
                return "ip netns does not work";
            }
        }
        catch (final RuntimeException ex)
        {
            return "the ip tool is missing: " + ex.getMessage();
        }
        if (run(10, "python3", "-c", "pass").exitCode != 0)
        {
            return "python3 is missing (the kernel-side client is a python script)";
        }
        return null;
    }

    /** @return the kernel-side client script ({@code kernel_client.py}) as a file; python3 runs it. */
    public static synchronized String kernelClient()
    {
        try
        {
            final Path file = Path.of(System.getProperty("java.io.tmpdir"), "pvnet-kernel-client-" +
                ProcessHandle.current().pid() + ".py");
            if (!Files.exists(file))
            {
                try (var in = Netns.class.getResourceAsStream("kernel_client.py"))
                {
                    Files.write(file, in.readAllBytes());
                }
                file.toFile().deleteOnExit();
            }
            return file.toString();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Runs {@code python3 kernel_client.py ARGS...} inside the namespace. */
    public Result client(final String... args)
    {
        final List<String> full = new ArrayList<>(List.of("python3", kernelClient()));
        full.addAll(List.of(args));
        return exec(full.toArray(String[]::new));
    }

    /**
     * Creates a namespace named {@code pvnet-PID-N-tag} with its loopback up. The first call of a JVM also deletes the
     * namespaces of test JVMs that are gone ({@link #sweepStale()}): a JVM killed by a timeout never ran its closes.
     */
    public static Netns create(final String tag)
    {
        if (SWEPT.compareAndSet(false, true))
        {
            sweepStale();
        }
        final String name = "pvnet-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-" + tag;
        run(10, "ip", "netns", "add", name).check();
        final Netns netns = new Netns(name);
        netns.exec("ip", "link", "set", "lo", "up").check();
        return netns;
    }

    /** {@return this namespace's name} */
    public String name()
    {
        return name;
    }

    /**
     * Deletes the namespaces named as tests name them whose process id is no longer a running process; those of
     * running processes (other test JVMs, other checkouts) are left alone.
     *
     * @return the namespaces deleted.
     */
    public static List<String> sweepStale()
    {
        final List<String> deleted = new ArrayList<>();
        final Result list = run(10, "ip", "netns", "list");
        if (list.exitCode() != 0)
        {
            return deleted;
        }
        for (final String line : list.output().split("\n"))
        {
            final String name = line.trim().split("\\s+")[0];
            final java.util.regex.Matcher ours = OURS.matcher(name);
            if (ours.matches() && ProcessHandle.of(Long.parseLong(ours.group(1))).isEmpty() &&
                run(10, "ip", "netns", "del", name).exitCode() == 0)
            {
                deleted.add(name);
            }
        }
        return deleted;
    }

    /** Moves a host device into this namespace. */
    public void adopt(final String device)
    {
        run(10, "ip", "link", "set", device, "netns", name).check();
    }

    /** Runs a command inside the namespace with a 20 s limit. */
    public Result exec(final String... command)
    {
        return execWithin(20, command);
    }

    /** Runs a command inside the namespace. */
    public Result execWithin(final int timeoutSeconds, final String... command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return run(timeoutSeconds, full.toArray(String[]::new));
    }

    /** Starts a command inside the namespace without waiting. */
    public Process start(final String... command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        try
        {
            return new ProcessBuilder(full).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** @return the value of a kernel SNMP counter in this namespace ({@code nstat -a -z NAME}), as text. */
    public String nstat(final String counter)
    {
        final Result result = exec("nstat", "-a", "-z", counter);
        for (final String line : result.output().split("\n"))
        {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2 && fields[0].equals(counter))
            {
                return fields[1];
            }
        }
        return "missing: " + result.output();
    }

    @Override
    public void close()
    {
        run(10, "ip", "netns", "del", name);
    }

    /** Runs a command on the host. */
    public static Result run(final int timeoutSeconds, final String... command)
    {
        try
        {
            // output into a file, not a pipe: a command that prints more than the pipe holds would block until
            // the timeout (tshark listing a few thousand frames did)
            final java.io.File outputFile = java.io.File.createTempFile("pvnet-run", ".out");
            try
            {
                final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(outputFile).start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    return new Result(String.join(" ", command), -1, "timed out after " + timeoutSeconds + " s");
                }
                final String output = java.nio.file.Files.readString(outputFile.toPath(), StandardCharsets.UTF_8);
                return new Result(String.join(" ", command), process.exitValue(), output);
            }
            finally
            {
                java.nio.file.Files.deleteIfExists(outputFile.toPath());
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** What a command did. */
    public record Result(String command, int exitCode, String output)
    {
        /** @return this when the command succeeded, else throws with its output. */
        public Result check()
        {
            if (exitCode != 0)
            {
                throw new IllegalStateException(command + " exited " + exitCode + ": " + output);
            }
            return this;
        }
    }
}
