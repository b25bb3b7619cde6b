package io.pvnet.perf.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes bench results as {@code {"results":[{"scenario":..,"name":..,"value":..,"unit":..}]}} and reads them back for
 * {@code --compare}. The document also carries the machine, the user's options and the ratios to baselines; readers
 * that only know {@code results} ignore them.
 */
public final class BenchJson
{
    private BenchJson()
    {
    }

    /** @return the JSON document for {@code results}, one result per line. */
    public static String write(final MachineInfo machine, final List<BenchResult> results)
    {
        return write(machine, "", results, List.of());
    }

    /**
     * @param machine the machine the figures were measured on.
     * @param options the user's choices as typed (may be empty).
     * @param results the figures.
     * @param ratios  the figures' ratios to their baselines.
     * @return the JSON document, one result per line.
     */
    public static String write(
        final MachineInfo machine, final String options, final List<BenchResult> results, final List<BenchRatio> ratios)
    {
        final StringBuilder json = new StringBuilder(256 + results.size() * 96 + ratios.size() * 96);
        json.append("{\n  \"machine\": {\"cpu\": ").append(quote(machine.cpuModel()))
            .append(", \"cores\": ").append(machine.cores())
            .append(", \"jdk\": ").append(quote(machine.jdk())).append("},\n");
        if (!options.isEmpty())
        {
            json.append("  \"options\": ").append(quote(options)).append(",\n");
        }
        json.append("  \"results\": [");
        for (int i = 0; i < results.size(); i++)
        {
            final BenchResult r = results.get(i);
            json.append(i == 0 ? "\n" : ",\n")
                .append("    {\"scenario\": ").append(quote(r.scenario()))
                .append(", \"name\": ").append(quote(r.name()))
                .append(", \"value\": ").append(number(r.value()))
                .append(", \"unit\": ").append(quote(r.unit())).append('}');
        }
        json.append("\n  ]");
        if (!ratios.isEmpty())
        {
            json.append(",\n  \"ratios\": [");
            for (int i = 0; i < ratios.size(); i++)
            {
                final BenchRatio r = ratios.get(i);
                json.append(i == 0 ? "\n" : ",\n")
                    .append("    {\"scenario\": ").append(quote(r.scenario()))
                    .append(", \"name\": ").append(quote(r.name()))
                    .append(", \"baseline\": ").append(quote(r.baseline()))
                    .append(", \"ratio\": ").append(number(r.ratio())).append('}');
            }
            json.append("\n  ]");
        }
        return json.append("\n}\n").toString();
    }

    /**
     * Reads a document written by {@link #write} (or any document of the same form).
     *
     * @param json the document.
     * @return its machine (null when absent) and results; a {@code null} value reads as NaN.
     * @throws IllegalArgumentException naming the problem when the text is not JSON or not of that form.
     */
    public static BenchRun read(final String json)
    {
        if (!(MiniJson.parse(json) instanceof Map<?, ?> document))
        {
            throw new IllegalArgumentException("not a bench result document: the top level is not an object");
        }
        if (!(document.get("results") instanceof List<?> list))
        {
            throw new IllegalArgumentException("not a bench result document: no \"results\" array");
        }
        final List<BenchResult> results = new java.util.ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++)
        {
            if (!(list.get(i) instanceof Map<?, ?> entry))
            {
                throw new IllegalArgumentException("results[" + i + "] is not an object");
            }
            final Object value = entry.get("value");
            if (value != null && !(value instanceof Double))
            {
                throw new IllegalArgumentException("results[" + i + "].value is not a number: " + value);
            }
            results.add(new BenchResult(
                text(entry, "scenario", i), text(entry, "name", i), value == null ? Double.NaN : (Double)value,
                text(entry, "unit", i)));
        }
        MachineInfo machine = null;
        if (document.get("machine") instanceof Map<?, ?> m)
        {
            machine = new MachineInfo(
                String.valueOf(m.get("cpu")),
                m.get("cores") instanceof Double cores ? cores.intValue() : 0,
                String.valueOf(m.get("jdk")));
        }
        return new BenchRun(machine, results);
    }

    private static String text(final Map<?, ?> entry, final String field, final int index)
    {
        if (!(entry.get(field) instanceof String text))
        {
            throw new IllegalArgumentException("results[" + index + "]." + field + " is missing or not a string");
        }
        return text;
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
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
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
