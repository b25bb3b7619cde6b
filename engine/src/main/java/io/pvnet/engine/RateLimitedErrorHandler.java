package io.pvnet.engine;

import org.agrona.ErrorHandler;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An Agrona {@link ErrorHandler} for agent runners that must never flood: one line per error ({@code PREFIX: Class:
 * message}), no stack trace, at most one line every {@code intervalMs} (the next line says how many were not
 * printed). {@link #errors()} counts them all. Vif backends contain their own exceptions
 * ({@link VifBackend#doWork()}); this catches what escapes other agents (bridge, router, ports).
 * <p>
 * Threads: any thread may call {@link #onError}; printing is rare and synchronised on the stream.
 */
public final class RateLimitedErrorHandler implements ErrorHandler
{
    private final String prefix;
    private final PrintStream out;
    private final long intervalMs;
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong lastPrintedMs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong printedAtCount = new AtomicLong();

    /**
     * A handler printing at most one line per {@code intervalMs}; any thread may call it.
     *
     * @param prefix     start of each line, e.g. {@code "pvnet switch"}.
     * @param out        where lines go (stderr).
     * @param intervalMs least time between two lines.
     */
    public RateLimitedErrorHandler(final String prefix, final PrintStream out, final long intervalMs)
    {
        this.prefix = prefix;
        this.out = out;
        this.intervalMs = intervalMs;
    }

    @Override
    public void onError(final Throwable throwable)
    {
        final long count = errors.incrementAndGet();
        final long nowMs = System.currentTimeMillis();
        final long last = lastPrintedMs.get();
        if ((last == Long.MIN_VALUE || nowMs - last >= intervalMs) && lastPrintedMs.compareAndSet(last, nowMs))
        {
            final long notPrinted = count - 1 - printedAtCount.getAndSet(count);
            out.println(prefix + ": error in an agent: " + throwable.getClass().getSimpleName() + ": " +
                throwable.getMessage() + (notPrinted > 0 ? " (" + notPrinted + " more since the last line)" : ""));
            out.flush();
        }
    }

    /** {@return errors seen, printed or not} */
    public long errors()
    {
        return errors.get();
    }
}
