package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchJsonTest
{
    private static final MachineInfo MACHINE = new MachineInfo("AMD \"EPYC\" \\ 9", 2, "25+36 (OpenJDK)");

    @Test
    void shouldWriteSchemaTwoWithBuildTimestampMachineOptionsSamplesAndBaselineFlags() throws Exception
    {
        final BenchRun run = new BenchRun("0.1.0-SNAPSHOT", "94d69d6", "2026-12-06T05:30:00Z",
            new MachineInfo("AMD \"EPYC\" \\ 9", 2, "25", "Linux 6.1 amd64", "box"), 1.5, "--size 64", 2.0, 1.0,
            List.of(new BenchResult("vif", "vif.64", 3.25, "Mpps", List.of(3.0, 3.5)),
                new BenchResult("vif", "aeron.64", 6.5, "Mpps"),
                new BenchResult("vif", "failed", Double.NaN, "ns")),
            List.of(new BenchRatio("vif", "vif.64", "aeron.64", 0.5)));
        final String json = BenchJson.write(run);

        // checked against the schema with a second, independent parser: read as plain maps, not through
        // BenchJson.read, so writer and reader cannot agree on a mistake
        final Map<String, Object> document = tools.jackson.jr.ob.JSON.std.mapFrom(json);
        assertEquals(List.of("schema", "tool", "version", "commit", "timestamp", "machine", "options", "results", "ratios"),
            List.copyOf(document.keySet()));
        assertEquals(BenchJson.SCHEMA, document.get("schema"));
        assertEquals("0.1.0-SNAPSHOT", document.get("version"));
        assertEquals("94d69d6", document.get("commit"));
        assertEquals("2026-12-06T05:30:00Z", document.get("timestamp"));
        assertEquals(Map.of("cpu", "AMD \"EPYC\" \\ 9", "cores", 2, "jdk", "25", "os", "Linux 6.1 amd64", "host", "box",
            "load1", 1.5), document.get("machine"));
        assertEquals(Map.of("choices", "--size 64", "duration_s", 2.0, "warmup_s", 1.0), document.get("options"));
        final List<?> results = (List<?>)document.get("results");
        assertEquals(3, results.size());
        final Map<?, ?> vif = (Map<?, ?>)results.get(0);
        assertEquals(List.of("scenario", "name", "value", "unit", "baseline", "samples"), List.copyOf(vif.keySet()));
        assertEquals(List.of(3.0, 3.5), vif.get("samples"));
        assertEquals(Boolean.FALSE, vif.get("baseline"));
        assertEquals(Boolean.TRUE, ((Map<?, ?>)results.get(1)).get("baseline"));
        assertTrue(((Map<?, ?>)results.get(2)).containsKey("value") && ((Map<?, ?>)results.get(2)).get("value") == null,
            "NaN is written as null: " + json);
        assertEquals(List.of(Map.of("scenario", "vif", "name", "vif.64", "baseline", "aeron.64", "ratio", 0.5, "to_baseline", true)),
            document.get("ratios"));

        final BenchRun back = BenchJson.read(json);
        assertEquals(run.version(), back.version());
        assertEquals(run.commit(), back.commit());
        assertEquals(run.timestamp(), back.timestamp());
        assertEquals(run.machine(), back.machine());
        assertEquals(1.5, back.loadAverage());
        assertEquals("--size 64", back.options());
        assertEquals(2.0, back.durationSeconds());
        assertEquals(run.results().subList(0, 2), back.results().subList(0, 2));
        assertEquals(run.ratios(), back.ratios());
        assertEquals(List.of("vif"), back.scenarios());
    }

    @Test
    void shouldStampTheRunningBuildAndTheCurrentTime()
    {
        final BenchRun back = BenchJson.read(BenchJson.write(MACHINE, List.of(new BenchResult("ring", "a", 1, "x"))));
        assertEquals(io.pvnet.perf.BuildInfo.current().commit(), back.commit());
        assertFalse(back.version().isBlank());
        assertTrue(java.time.Duration.between(java.time.Instant.parse(back.timestamp()), java.time.Instant.now()).abs()
            .toSeconds() < 60, back.timestamp());
    }

    @Test
    void shouldReadSchemaOneFilesWithOptionsAsText()
    {
        final BenchRun run = BenchJson.read("{\"machine\": {\"cpu\": \"c\", \"cores\": 2, \"jdk\": \"j\"}, " +
            "\"options\": \"--tso on\", \"results\": [{\"scenario\": \"s\", \"name\": \"n\", \"value\": 1.0, " +
            "\"unit\": \"ns\"}]}");
        assertEquals("--tso on", run.options());
        assertEquals(new MachineInfo("c", 2, "j"), run.machine());
        assertEquals("unknown", run.commit());
        assertEquals(List.of(), run.results().get(0).samples());
    }

    @Test
    void shouldReadBackWhatItWroteIncludingOddNamesAndMissingValues()
    {
        final List<BenchResult> results = List.of(
            new BenchResult("ring", "pvnet.batch32", 31.25, "Mframes/s"),
            new BenchResult("we\"ird,\nscen\\ario", "name\t\u0002", 1e-9, "µs"),
            new BenchResult("ring", "failed", Double.NaN, "ns"));
        final List<BenchRatio> ratios = List.of(new BenchRatio("ring", "pvnet.batch32", "jctools.batch32", 0.8),
            new BenchRatio("ring", "pvnet.batch32", "pvnet.batch1", 4.0, false));
        final BenchRun run = BenchJson.read(BenchJson.write(MACHINE, "--size 64 --tso on", results, ratios));
        assertEquals(ratios, run.ratios(), "a ratio to another pvnet figure stays one");
        // a file written before ratios carried to_baseline: a pair within one implementation is not to a baseline
        final BenchRun legacy = BenchJson.read("{\"results\":[],\"ratios\":[" +
            "{\"scenario\":\"ring\",\"name\":\"pvnet.batch32\",\"baseline\":\"pvnet.batch1\",\"ratio\":4}," +
            "{\"scenario\":\"ring\",\"name\":\"pvnet.batch32\",\"baseline\":\"agrona.batch32\",\"ratio\":2}]}");
        assertEquals(List.of(false, true), legacy.ratios().stream().map(BenchRatio::toBaseline).toList());
        assertEquals(MACHINE, run.machine());
        assertEquals(3, run.results().size());
        assertEquals(results.get(0), run.results().get(0));
        assertEquals(results.get(1), run.results().get(1));
        assertTrue(Double.isNaN(run.results().get(2).value()), "null reads back as NaN");
    }

    @Test
    void shouldReadTheMinimalFormOtherToolsWrite()
    {
        final BenchRun run = BenchJson.read(
            "{\"results\":[{\"scenario\":\"checksum\",\"name\":\"vector.1500\",\"value\":-1.5E3,\"unit\":\"GB\\/s\"," +
            "\"extra\":[true,false,null,{}]}]}");
        assertNull(run.machine());
        assertEquals(List.of(new BenchResult("checksum", "vector.1500", -1500.0, "GB/s")), run.results());
        assertEquals("é", ((BenchResult)BenchJson.read(
            "{\"results\":[{\"scenario\":\"\\u00e9\",\"name\":\"n\",\"value\":1,\"unit\":\"u\"}]}").results().get(0)).scenario());
    }

    @Test
    void shouldRejectDocumentsThatAreNotResultsWithAReason()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchJson.read("{\"results\":["))
            .getMessage().startsWith("not JSON: "));
        assertEquals("written by a newer pvnet (schema 99; this one reads up to " + BenchJson.SCHEMA + ")",
            assertThrows(IllegalArgumentException.class, () -> BenchJson.read("{\"schema\":99,\"results\":[]}")).getMessage());
        assertEquals("not a bench result document: no \"results\" array",
            assertThrows(IllegalArgumentException.class, () -> BenchJson.read("{\"result\":[]}")).getMessage());
        assertEquals("results[0].unit is missing or not a string",
            assertThrows(IllegalArgumentException.class,
                () -> BenchJson.read("{\"results\":[{\"scenario\":\"a\",\"name\":\"b\",\"value\":1}]}")).getMessage());
        assertEquals("results[0].value is not a number: fast",
            assertThrows(IllegalArgumentException.class,
                () -> BenchJson.read("{\"results\":[{\"scenario\":\"a\",\"name\":\"b\",\"value\":\"fast\",\"unit\":\"x\"}]}"))
                .getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchJson.read("{\"results\":[]} trailing"));
        assertThrows(IllegalArgumentException.class, () -> BenchJson.read("{\"results\":[\"a\nb\"]}"));
        assertThrows(IllegalArgumentException.class, () -> BenchJson.read(""));
    }
}
