package io.pvnet.perf.cli.engine;

import io.pvnet.engine.guest.GenCounters;
import io.pvnet.engine.guest.GuestStack;
import io.pvnet.engine.guest.TrafficGenerator;
import io.pvnet.engine.guest.TrafficReport;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GenSummary} of a one-way UDP run whose receiver's final report did or did not come: the summary line, the
 * {@code receiver} closing row and the JSON {@code end}, from counters set by hand (no traffic).
 */
class GenSummaryTest
{
    @Test
    void shouldMarkTheReceiverRowWhenAFinalReportDidNotCome() throws Exception
    {
        final List<String> stale = summary(1, 1).lines();
        assertTrue(stale.get(1).endsWith("  receiver (not final)"), stale.get(1));
        assertTrue(stale.get(2).contains("(not final: "), stale.get(2));

        final List<String> fine = summary(1, 0).lines();
        assertTrue(fine.get(1).endsWith("  receiver"), fine.get(1));
        assertFalse(fine.get(2).contains("not final"), fine.get(2));
    }

    @Test
    void shouldSayFlowOrFlowsAsThereAreOneOrMore() throws Exception
    {
        assertTrue(summary(1, 1).lines().get(2).contains(" (not final: no final report from the receiver of 1 flow), "),
            "one flow");
        assertTrue(summary(2, 2).lines().get(2).contains(" (not final: no final report from the receiver of 2 flows), "),
            "two flows");
    }

    @Test
    void shouldAlwaysWriteFinalReportsMissingAsTheOtherEndFieldsAre() throws Exception
    {
        assertEquals(0L, receiver(summary(1, 0)).get("final_reports_missing"), "every final report came: 0, written");
        assertEquals(1L, receiver(summary(1, 1)).get("final_reports_missing"));
        assertEquals(2L, receiver(summary(2, 2)).get("final_reports_missing"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldSayWhichFlowHadNoFinalReport() throws Exception
    {
        final GenSummary summary = summary(2, 1);
        final List<Map<String, Object>> streams = (List<Map<String, Object>>)summary.end().get("streams");
        assertEquals(true, streams.get(0).get("final_report"), "flow 1's came");
        assertEquals(false, streams.get(1).get("final_report"), "flow 2's did not");
        assertEquals(true, ((List<Map<String, Object>>)summary(1, 0).end().get("streams")).get(0).get("final_report"));
    }

    /** A one-way run of {@code flows} flows, 1,000 sent and 990 counted each, the last {@code missing} of them stale. */
    private static GenSummary summary(final int flows, final long missing) throws ReflectiveOperationException
    {
        final GenCounters counters = new GenCounters(flows);
        for (int flow = 0; flow < flows; flow++)
        {
            set(counters, "sentFrames", flow, 1000);
            set(counters, "sentPayloadBytes", flow, 64_000);
            set(counters, "receiverFrames", flow, 990);
            set(counters, "receiverPayloadBytes", flow, 63_360);
            set(counters, "receiverExpected", flow, 1000);
        }
        final Field field = GenCounters.class.getDeclaredField("missingFinalReports");
        field.setAccessible(true);
        field.setLong(counters, missing);
        final Field which = GenCounters.class.getDeclaredField("finalReportMissing");
        which.setAccessible(true);
        for (int flow = flows - (int)missing; flow < flows; flow++)
        {
            ((boolean[])which.get(counters))[flow] = true; // the last ones are stale
        }
        final GuestStack stack = new GuestStack(0x02_00_00_00_00_01L, 0xC0_00_02_03, 24, null, 1500,
            (buffer, offset, length, metadata) -> 0);
        final TrafficGenerator generator = new TrafficGenerator(null, stack, null);
        final GenOutput output = new GenOutput(new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8), null, GenOutput.Mode.ONE_WAY, flows);
        return new GenSummary(new GenSummary.Run("udp", "192.0.2.2", ":5201", true, true, true, false, 0, 0, 64,
            10), new TrafficReport(counters, 2_000_000_000L, true, null), generator, output);
    }

    private static void set(final GenCounters counters, final String name, final int flow, final long value)
        throws ReflectiveOperationException
    {
        final Field field = GenCounters.class.getDeclaredField(name);
        field.setAccessible(true);
        ((long[])field.get(counters))[flow] = value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> receiver(final GenSummary summary)
    {
        return (Map<String, Object>)((Map<String, Object>)summary.end().get("sent")).get("receiver");
    }
}
