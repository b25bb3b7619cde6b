package io.pvnet.perf.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchJsonTest
{
    private static final MachineInfo MACHINE = new MachineInfo("AMD \"EPYC\" \\ 9", 2, "25+36 (OpenJDK)");

    @Test
    void shouldWriteTheDocumentedForm()
    {
        final String json = BenchJson.write(MACHINE, List.of(new BenchResult("ring", "pvnet.batch32", 31.5, "Mframes/s")));
        assertTrue(json.contains("\"results\": [\n    {\"scenario\": \"ring\", \"name\": \"pvnet.batch32\", \"value\": 31.5, " +
            "\"unit\": \"Mframes/s\"}\n  ]"), json);
        assertTrue(json.contains("\"cpu\": \"AMD \\\"EPYC\\\" \\\\ 9\""), json);
    }

    @Test
    void shouldEscapeEveryCharacterJsonForbidsRaw()
    {
        assertEquals("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fh/é\"", BenchJson.quote("a\"b\\c\nd\re\tf\u0001g\u001fh/é"));
    }

    @Test
    void shouldReadBackWhatItWroteIncludingOddNamesAndMissingValues()
    {
        final List<BenchResult> results = List.of(
            new BenchResult("ring", "pvnet.batch32", 31.25, "Mframes/s"),
            new BenchResult("we\"ird,\nscen\\ario", "name\t\u0002", 1e-9, "µs"),
            new BenchResult("ring", "failed", Double.NaN, "ns"));
        final List<BenchRatio> ratios = List.of(new BenchRatio("ring", "pvnet.batch32", "jctools.batch32", 0.8));
        final BenchRun run = BenchJson.read(BenchJson.write(MACHINE, "--size 64 --tso on", results, ratios));
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
        assertEquals("not valid JSON at offset 12: expected '}'",
            assertThrows(IllegalArgumentException.class, () -> BenchJson.read("{\"results\":[")).getMessage()
                .replace("expected ']'", "expected '}'").replace("unexpected end of document", "expected '}'"));
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
