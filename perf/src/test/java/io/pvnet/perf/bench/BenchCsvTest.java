package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchCsvTest
{
    @Test
    void shouldWriteHeaderThenOneRowPerFigure()
    {
        assertEquals("scenario,name,value,unit\r\nring,pvnet.batch32,31.5,Mframes/s\r\nring,broken,,ns\r\n",
            BenchCsv.write(List.of(
                new BenchResult("ring", "pvnet.batch32", 31.5, "Mframes/s"),
                new BenchResult("ring", "broken", Double.NaN, "ns"))));
    }

    @Test
    void shouldQuoteFieldsWithCommasQuotesAndLineBreaks()
    {
        assertEquals("plain", BenchCsv.field("plain"));
        assertEquals("\"a,b\"", BenchCsv.field("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", BenchCsv.field("say \"hi\""));
        assertEquals("\"two\nlines\"", BenchCsv.field("two\nlines"));
        assertEquals("\"cr\rhere\"", BenchCsv.field("cr\rhere"));
        assertEquals("scenario,name,value,unit\r\n\"s,1\",\"n\"\"\",1.0E-9,µs\r\n",
            BenchCsv.write(List.of(new BenchResult("s,1", "n\"", 1e-9, "µs"))));
    }
}
