package io.pvnet.perf.harness;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressPrinterTest
{
    @Test
    void shouldFormatRateGbitAndDropsOnOneLine()
    {
        assertEquals("  ring pvnet.batch32                             3s       31.234 Mframes/s     15.99 Gbit/s" +
            "  drops 1,200/s (5,000 total)",
            ProgressPrinter.format("ring pvnet.batch32", 3, 31.2339, "Mframes/s", 15.991, 1200, 5000));
        assertEquals("  ring x                                         1s        1.000 ns",
            ProgressPrinter.format("ring x", 1, 1.0, "ns", Double.NaN, -1, 0));
    }

    @Test
    void shouldPrintLiveLinesWithGbitFromFrameSizeAndDropsFromCounter() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ProgressPrinter printer = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        final AtomicLong frames = new AtomicLong();
        final AtomicLong drops = new AtomicLong(1_000); // drops counted before the line started are not shown
        try (ProgressPrinter.Line line = printer.start("t fig", frames::get, 1e-6, "Mframes/s").frameBytes(1500).drops(drops::get))
        {
            final long end = System.nanoTime() + 1_150_000_000L;
            while (System.nanoTime() < end)
            {
                frames.addAndGet(1000);
                drops.incrementAndGet();
                Thread.sleep(1);
            }
        }
        final String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("  t fig") && out.contains("Mframes/s") && out.contains("Gbit/s") && out.contains("drops "), out);
        final long total = Long.parseLong(out.substring(out.indexOf('(') + 1, out.indexOf(" total")).replace(",", ""));
        assertTrue(total > 100 && total < 1_300, out);
        assertThrows(IllegalArgumentException.class, () -> printer.start("x", frames::get, 1, "u").frameBytes(0).close());
    }
}
