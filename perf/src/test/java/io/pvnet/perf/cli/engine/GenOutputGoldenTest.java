package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GenCounters;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@link GenOutput}'s text and JSON, byte for byte, in every mode for one flow and two: a warm-up interval, two
 * measured ones (the second with a flow that reported no jitter), round trips, a one-way stream's or gen's TCP's
 * closing rows and the summary lines, against the files in {@code src/test/resources/gen-output} (the JSON's timestamp,
 * version and commit masked).
 * A change to what gen prints changes those files on purpose: {@code -Dpvnet.gen.golden.write=true} rewrites them from
 * this run (then read the diff).
 */
class GenOutputGoldenTest
{
    private static final String[] COUNTERS = {"sentFrames", "sentFrameBytes", "sentPayloadBytes", "answeredFrames",
        "answeredPayloadBytes", "receivedFrames", "receivedPayloadBytes", "receivedExpected", "receivedLate",
        "receivedDuplicates", "receiverFrames", "receiverPayloadBytes", "receiverExpected", "receiverOutOfOrder",
        "receiverDuplicates", "receivedJitterNs", "receiverJitterNs", "retransmittedFrames", "congestionWindow"};

    @Test
    void shouldPrintAndWriteExactlyWhatItDidInEveryMode() throws Exception
    {
        for (final GenOutput.Mode mode : GenOutput.Mode.values())
        {
            for (final int flows : new int[] {1, 2})
            {
                final String name = mode.name().toLowerCase(java.util.Locale.ROOT) + "-" + flows + ".txt";
                final String actual = run(mode, flows);
                if (Boolean.getBoolean("pvnet.gen.golden.write"))
                {
                    Files.writeString(Path.of("src/test/resources/gen-output", name), actual);
                    continue;
                }
                assertEquals(golden(name), actual, name);
            }
        }
    }

    private static String run(final GenOutput.Mode mode, final int flows) throws ReflectiveOperationException
    {
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        final ByteArrayOutputStream json = new ByteArrayOutputStream();
        final GenOutput output = new GenOutput(new PrintStream(text, true, StandardCharsets.UTF_8),
            new PrintStream(json, true, StandardCharsets.UTF_8), mode, flows);
        final GenCounters warmUp = new GenCounters(flows);
        fill(warmUp, 1, flows);
        output.onRoundTrip(0, 90_000);
        output.onOmitted(warmUp, 0, 1_000_000_000L);
        final GenCounters run = new GenCounters(flows);
        fill(run, 2, flows);
        output.onRoundTrip(0, 150_000);
        output.onRoundTrip(flows - 1, 2_500_000);
        output.onInterval(run, 0, 1_000_000_000L);
        fill(run, 5, flows);
        set(run, "receiverJitterNs", flows - 1, -1);
        set(run, "receivedJitterNs", 0, -1);
        output.onRoundTrip(0, 12_345);
        output.onInterval(run, 1_000_000_000L, 2_500_000_000L);
        output.onInterval(run, 2_500_000_000L, 2_500_000_000L); // empty: nothing printed
        final Map<String, Object> start = new LinkedHashMap<>();
        start.put("mode", mode.name());
        final Map<String, Object> end = new LinkedHashMap<>();
        end.put("seconds", 2.5);
        final List<String> lines = new java.util.ArrayList<>(mode.oneWay() ?
            output.closingRows(2.5, 5000, 320_000, 4990, 319_360, 12_345, 10, 5000) : mode.tcp() && mode.sends() ?
            output.tcpClosingRows(2.5, 5000, 7_000_000, 37, 6_948_200) : List.of());
        lines.add("pvnet gen: the summary line");
        output.finish(start, end, lines);
        return text.toString(StandardCharsets.UTF_8) + "=== json\n" + json.toString(StandardCharsets.UTF_8)
            .replaceAll("\"(timestamp|version|commit)\" : \"[^\"]*\"", "\"$1\" : \"-\"");
    }

    /** Every counter of every flow at a value of its own, grown {@code step} times. */
    private static void fill(final GenCounters counters, final int step, final int flows)
        throws ReflectiveOperationException
    {
        for (int flow = 0; flow < flows; flow++)
        {
            for (int i = 0; i < COUNTERS.length; i++)
            {
                final boolean jitter = COUNTERS[i].endsWith("JitterNs");
                set(counters, COUNTERS[i], flow, jitter ? 10_000L * (i + 1) * step + flow * 777 :
                    (long)step * (1000 + 37L * i) * (flow + 1) * (COUNTERS[i].contains("Bytes") ? 64 : 1));
            }
        }
    }

    private static void set(final GenCounters counters, final String name, final int flow, final long value)
        throws ReflectiveOperationException
    {
        final Field field = GenCounters.class.getDeclaredField(name);
        field.setAccessible(true);
        ((long[])field.get(counters))[flow] = value;
    }

    private static String golden(final String name) throws IOException
    {
        try (InputStream in = GenOutputGoldenTest.class.getResourceAsStream("/gen-output/" + name))
        {
            assertNotNull(in, "no golden file " + name + " (-Dpvnet.gen.golden.write=true writes it)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
