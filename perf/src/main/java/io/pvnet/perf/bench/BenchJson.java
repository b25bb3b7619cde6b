package io.pvnet.perf.bench;

import java.util.List;

/** Writes bench results as {@code {"results":[{"scenario":..,"name":..,"value":..,"unit":..}]}}. */
public final class BenchJson
{
    private BenchJson()
    {
    }

    /** @return the JSON document for {@code results}, one result per line. */
    public static String write(final MachineInfo machine, final List<BenchResult> results)
    {
        final StringBuilder json = new StringBuilder(256 + results.size() * 96);
        json.append("{\n  \"machine\": {\"cpu\": ").append(quote(machine.cpuModel()))
            .append(", \"cores\": ").append(machine.cores())
            .append(", \"jdk\": ").append(quote(machine.jdk())).append("},\n  \"results\": [");
        for (int i = 0; i < results.size(); i++)
        {
            final BenchResult r = results.get(i);
            json.append(i == 0 ? "\n" : ",\n")
                .append("    {\"scenario\": ").append(quote(r.scenario()))
                .append(", \"name\": ").append(quote(r.name()))
                .append(", \"value\": ").append(number(r.value()))
                .append(", \"unit\": ").append(quote(r.unit())).append('}');
        }
        return json.append("\n  ]\n}\n").toString();
    }

    private static String number(final double value)
    {
        // JSON has no NaN or infinity
        return Double.isFinite(value) ? Double.toString(value) : "null";
    }

    static String quote(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
