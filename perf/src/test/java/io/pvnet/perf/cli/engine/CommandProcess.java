package io.pvnet.perf.cli.engine;

import io.pvnet.testsupport.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A {@code switch}, {@code guest} or {@code gen} command in a child JVM (same java binary and flags as this one),
 * its output collected by a reader thread. {@link #close()} sends SIGTERM, then kills what is still alive.
 */
final class CommandProcess implements AutoCloseable
{
    /** A JVM that shut down on SIGTERM (its hooks ran) exits with 128 + 15, whatever main returned. */
    static final int SIGTERM_EXIT = 143;

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    CommandProcess(final String... args)
    {
        this(List.of(), null, args);
    }

    /**
     * @param prefix    run through this first (e.g. {@code setpriv --reuid 65534 ...}); empty for none.
     * @param classPath the child's class path, or null for this JVM's.
     */
    CommandProcess(final List<String> prefix, final String classPath, final String... args)
    {
        // as ./pvnet starts switch, guest and gen: without JVM attach (see the launcher)
        final List<String> java = ChildJvm.of(EngineCommandMain.class)
            .flags("-XX:TieredStopAtLevel=1", "-XX:+DisableAttachMechanism").arguments(args).command();
        if (classPath != null)
        {
            java.set(java.indexOf("-cp") + 1, classPath);
        }
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(java);
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        reader = Thread.ofPlatform().daemon().start(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = lines.readLine()) != null)
                {
                    output.append(line).append('\n');
                }
            }
            catch (final IOException ignored)
            {
                // the process ended
            }
        });
    }

    /**
     * How long a test waits for a started command's {@code ready} line, ms: about 1 s on a quiet machine, but a switch
     * started beside two other JVMs under the suite's load once took over 20 s (SwitchCommandKernelTest's VXLAN
     * case, 2 vCPUs). Only a failing start waits this long.
     */
    static final long READY_TIMEOUT_MS = 60_000;

    /** Waits until the output contains {@code text}. @return false on timeout or when the process ended first. */
    boolean awaitOutput(final String text, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            if (output.indexOf(text) >= 0)
            {
                return true;
            }
            if (!process.isAlive())
            {
                reader.join(1000);
                return output.indexOf(text) >= 0;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Waits for the process to exit by itself. @return its exit code, or -1 on timeout. */
    int awaitExit(final long timeoutMs) throws InterruptedException
    {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            return -1;
        }
        reader.join(1000);
        return process.exitValue();
    }

    /** SIGTERM, as an operator's Ctrl-C / kill. @return the exit code, or -1 if it did not exit in time. */
    int terminate(final long timeoutMs) throws InterruptedException
    {
        // Process.destroy() would close our end of its output first, losing what it prints while shutting down
        process.toHandle().destroy();
        return awaitExit(timeoutMs);
    }

    /** @return the child's pid. */
    long pid()
    {
        return process.pid();
    }

    /** kill -9. */
    void kill()
    {
        process.toHandle().destroyForcibly();
    }

    /** Waits until the output contains {@code text}. @return ms waited, or -1 on timeout. */
    long millisUntilOutput(final String text, final long timeoutMs) throws InterruptedException
    {
        final long start = System.nanoTime();
        final long deadline = start + timeoutMs * 1_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            if (output.indexOf(text) >= 0)
            {
                return (System.nanoTime() - start) / 1_000_000L;
            }
            Thread.sleep(2);
        }
        return -1;
    }

    String output()
    {
        return output.toString();
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroy();
            try
            {
                if (!process.waitFor(3, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
