package io.pvnet.perf.checksum;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The C AVX-512 checksum baseline ({@code csum_avx512.c} in this package's resources): compiled with gcc into a
 * temporary shared library when first asked for, and called through an FFM downcall on the same off-heap memory the
 * Java variants read. Absent (with the reason in {@link #unavailableReason()}) when gcc or AVX-512 is missing.
 */
public final class NativeChecksum
{
    private static final String SOURCE = "csum_avx512.c";
    private static final String SYMBOL = "pvnet_csum_avx512";

    private static volatile NativeChecksum instance;
    private static volatile String unavailableReason;

    private final MethodHandle handle;

    private NativeChecksum(final MethodHandle handle)
    {
        this.handle = handle;
    }

    /** @return the loaded baseline, or {@code null} when it cannot be built here (see {@link #unavailableReason()}). */
    public static synchronized NativeChecksum loadOrNull()
    {
        if (instance == null && unavailableReason == null)
        {
            try
            {
                instance = build();
            }
            catch (final Exception | LinkageError ex)
            {
                unavailableReason = ex.getMessage();
            }
        }
        return instance;
    }

    /** @return why {@link #loadOrNull()} returned {@code null}, or {@code null}. */
    public static String unavailableReason()
    {
        return unavailableReason;
    }

    /**
     * @param address first byte (off-heap).
     * @param length  number of bytes.
     * @return the folded 16-bit sum, as {@code InternetChecksum.sum}.
     */
    public int sum(final long address, final int length)
    {
        try
        {
            return (int)handle.invokeExact(address, length);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static NativeChecksum build() throws IOException, InterruptedException
    {
        if (!cpuHasAvx512bw())
        {
            throw new IOException("the CPU has no avx512bw (see /proc/cpuinfo)");
        }
        final Path dir = Files.createTempDirectory("pvnet-csum");
        dir.toFile().deleteOnExit();
        final Path source = dir.resolve(SOURCE);
        try (InputStream in = NativeChecksum.class.getResourceAsStream(SOURCE))
        {
            if (in == null)
            {
                throw new IOException("resource " + SOURCE + " missing from the class path");
            }
            Files.copy(in, source);
        }
        final Path library = dir.resolve("libpvnetcsum.so");
        final Process gcc;
        try
        {
            gcc = new ProcessBuilder(List.of("gcc", "-O3", "-mavx512f", "-mavx512bw", "-shared", "-fPIC",
                "-o", library.toString(), source.toString())).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new IOException("gcc is not available: " + ex.getMessage());
        }
        final String output = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0)
        {
            throw new IOException("gcc failed: " + output.strip());
        }
        source.toFile().deleteOnExit();
        library.toFile().deleteOnExit();
        final SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        final MethodHandle handle = Linker.nativeLinker().downcallHandle(
            lookup.find(SYMBOL).orElseThrow(() -> new IOException(SYMBOL + " not found in " + library)),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            Linker.Option.critical(false));
        return new NativeChecksum(handle);
    }

    private static boolean cpuHasAvx512bw()
    {
        try
        {
            return Files.readString(Path.of("/proc/cpuinfo")).contains(" avx512bw");
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
