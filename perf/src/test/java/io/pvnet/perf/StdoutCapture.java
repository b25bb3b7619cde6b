package io.pvnet.perf;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures {@code System.out} for each test of a class that registers it with {@code @RegisterExtension}. */
public final class StdoutCapture implements BeforeEachCallback, AfterEachCallback
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private PrintStream saved;

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        bytes.reset();
        saved = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        System.setOut(saved);
    }

    /** @return what was printed since the test started or since {@link #reset()}. */
    public String text()
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what was printed so far. */
    public void reset()
    {
        bytes.reset();
    }
}
