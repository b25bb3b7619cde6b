package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchRatio;
import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.harness.Baselines;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.jr.ob.JSON;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a bench run (schema {@value #SCHEMA}), written and read with jackson-jr:
 * <pre>
 * {
 *   "schema": 2, "tool": "pvnet bench", "version": "0.1.0-SNAPSHOT", "commit": "94d69d6",
 *   "timestamp": "2026-12-06T05:30:00Z",
 *   "machine": {"cpu": "...", "cores": 2, "jdk": "...", "os": "...", "host": "...", "load1": 1.5},
 *   "options": {"choices": "--size 64", "duration_s": 2.0, "warmup_s": 1.0},
 *   "results": [{"scenario": "vif", "name": "vif.64", "value": 3.1, "unit": "Mpps", "baseline": false,
 *                "samples": [3.0, 3.2]}],
 *   "ratios": [{"scenario": "vif", "name": "vif.64", "baseline": "aeron.64", "ratio": 0.4, "to_baseline": true}]
 * }
 * </pre>
 * A value that is not a number (a failed figure) is written as {@code null} and reads back as NaN. The reader also
 * takes schema 1 files (options as a string, no samples) and the minimal form {@code {"results":[...]}}.
 */
public final class BenchJson
{
    /** The schema version written; raise it when a field changes meaning. */
    public static final int SCHEMA = 2;

    private static final JSON WRITER = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.PRESERVE_FIELD_ORDERING);
    private static final JSON READER = JSON.std.with(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS);
    private static final JsonFactory FACTORY = new JsonFactory();

    private BenchJson()
    {
    }

    /** @return the JSON document for {@code results} alone. */
    public static String write(final MachineInfo machine, final List<BenchResult> results)
    {
        return write(machine, "", results, List.of());
    }

    /** @return the JSON document for {@code results} and {@code ratios}, stamped with this build and now. */
    public static String write(
        final MachineInfo machine, final String options, final List<BenchResult> results, final List<BenchRatio> ratios)
    {
        final io.pvnet.perf.BuildInfo build = io.pvnet.perf.BuildInfo.current();
        return write(new BenchRun(build.version(), build.commit(), java.time.Instant.now().toString(), machine,
            MachineInfo.loadAverageNow(), options, Double.NaN, Double.NaN, results, ratios));
    }

    /** @return the JSON document of {@code run}, ending with a line separator. */
    public static String write(final BenchRun run)
    {
        final Map<String, Object> document = new LinkedHashMap<>();
        document.put("schema", SCHEMA);
        document.put("tool", "pvnet bench");
        document.put("version", run.version());
        document.put("commit", run.commit());
        document.put("timestamp", run.timestamp());
        if (run.machine() != null)
        {
            final Map<String, Object> machine = new LinkedHashMap<>();
            machine.put("cpu", run.machine().cpuModel());
            machine.put("cores", run.machine().cores());
            machine.put("jdk", run.machine().jdk());
            machine.put("os", run.machine().os());
            machine.put("host", run.machine().host());
            machine.put("load1", number(run.loadAverage()));
            document.put("machine", machine);
        }
        final Map<String, Object> options = new LinkedHashMap<>();
        options.put("choices", run.options());
        options.put("duration_s", number(run.durationSeconds()));
        options.put("warmup_s", number(run.warmupSeconds()));
        document.put("options", options);
        final List<Object> results = new ArrayList<>(run.results().size());
        for (final BenchResult r : run.results())
        {
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("scenario", r.scenario());
            entry.put("name", r.name());
            entry.put("value", number(r.value()));
            entry.put("unit", r.unit());
            entry.put("baseline", Baselines.isBaseline(r.scenario(), r.name(), run.ratios()));
            entry.put("samples", r.samples().stream().map(BenchJson::number).toList());
            results.add(entry);
        }
        document.put("results", results);
        final List<Object> ratios = new ArrayList<>(run.ratios().size());
        for (final BenchRatio r : run.ratios())
        {
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("scenario", r.scenario());
            entry.put("name", r.name());
            entry.put("baseline", r.baseline());
            entry.put("ratio", number(r.ratio()));
            entry.put("to_baseline", r.toBaseline());
            ratios.add(entry);
        }
        document.put("ratios", ratios);
        return WRITER.with(JSON.Feature.WRITE_NULL_PROPERTIES).asString(document) + System.lineSeparator();
    }

    /**
     * Reads a document written by {@link #write} (or an earlier schema, or any document of the same form).
     *
     * @param json the document.
     * @return the run; fields the file lacks read as {@code unknown}, NaN or empty, a {@code null} value as NaN.
     * @throws IllegalArgumentException naming the problem when the text is not JSON or not of that form.
     */
    public static BenchRun read(final String json)
    {
        final Map<String, Object> document = parse(json);
        if (document.get("schema") instanceof Number schema && schema.intValue() > SCHEMA)
        {
            throw new IllegalArgumentException("written by a newer pvnet (schema " + schema + "; this one reads up to " +
                SCHEMA + ")");
        }
        if (!(document.get("results") instanceof List<?> list))
        {
            throw new IllegalArgumentException("not a bench result document: no \"results\" array");
        }
        final List<BenchResult> results = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++)
        {
            final String where = "results[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> entry))
            {
                throw new IllegalArgumentException(where + " is not an object");
            }
            final List<Double> samples = new ArrayList<>();
            if (entry.get("samples") instanceof List<?> values)
            {
                for (final Object value : values)
                {
                    samples.add(value(value, where + ".samples"));
                }
            }
            results.add(new BenchResult(text(entry, "scenario", where), text(entry, "name", where),
                value(entry.get("value"), where + ".value"), text(entry, "unit", where), samples));
        }
        final List<BenchRatio> ratios = new ArrayList<>();
        if (document.get("ratios") instanceof List<?> ratioList)
        {
            for (int i = 0; i < ratioList.size(); i++)
            {
                final String where = "ratios[" + i + "]";
                if (!(ratioList.get(i) instanceof Map<?, ?> entry))
                {
                    throw new IllegalArgumentException(where + " is not an object");
                }
                final String name = text(entry, "name", where);
                final String baseline = text(entry, "baseline", where);
                ratios.add(new BenchRatio(text(entry, "scenario", where), name, baseline,
                    value(entry.get("ratio"), where + ".ratio"),
                    entry.get("to_baseline") instanceof Boolean b ? b : sameImplementationLegacy(name, baseline)));
            }
        }
        MachineInfo machine = null;
        double load = Double.NaN;
        if (document.get("machine") instanceof Map<?, ?> m)
        {
            machine = new MachineInfo(String.valueOf(m.get("cpu")),
                m.get("cores") instanceof Number cores ? cores.intValue() : 0, String.valueOf(m.get("jdk")),
                m.get("os") instanceof String os ? os : "unknown", m.get("host") instanceof String host ? host : "unknown");
            load = m.get("load1") instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        String options = "";
        double duration = Double.NaN;
        double warmup = Double.NaN;
        if (document.get("options") instanceof String text)
        {
            options = text; // schema 1
        }
        else if (document.get("options") instanceof Map<?, ?> o)
        {
            options = o.get("choices") instanceof String text ? text : "";
            duration = o.get("duration_s") instanceof Number n ? n.doubleValue() : Double.NaN;
            warmup = o.get("warmup_s") instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        return new BenchRun(string(document, "version"), string(document, "commit"), string(document, "timestamp"),
            machine, load, options, duration, warmup, results, ratios);
    }

    private static Map<String, Object> parse(final String json)
    {
        try (JsonParser parser = FACTORY.createParser(json))
        {
            if (!(READER.anyFrom(parser) instanceof Map<?, ?> map))
            {
                throw new IllegalArgumentException("not a bench result document: the top level is not an object");
            }
            if (parser.nextToken() != null)
            {
                throw new IllegalArgumentException("not JSON: text after the document at line " +
                    parser.currentLocation().getLineNr());
            }
            @SuppressWarnings("unchecked")
            final Map<String, Object> document = (Map<String, Object>)map;
            return document;
        }
        catch (final JacksonException ex)
        {
            throw new IllegalArgumentException("not JSON: " + ex.getOriginalMessage() + " at line " +
                (ex.getLocation() == null ? "?" : ex.getLocation().getLineNr()));
        }
    }

    private static double value(final Object value, final String where)
    {
        if (value == null)
        {
            return Double.NaN;
        }
        if (!(value instanceof Number number))
        {
            throw new IllegalArgumentException(where + " is not a number: " + value);
        }
        return number.doubleValue();
    }

    private static String text(final Map<?, ?> entry, final String field, final String where)
    {
        if (!(entry.get(field) instanceof String text))
        {
            throw new IllegalArgumentException(where + "." + field + " is missing or not a string");
        }
        return text;
    }

    private static String string(final Map<String, Object> document, final String field)
    {
        return document.get(field) instanceof String text ? text : "unknown";
    }

    private static Double number(final double value)
    {
        // JSON has no NaN or infinity
        return Double.isFinite(value) ? value : null;
    }

    /**
     * @return for a file written before ratios said whether they are to a real baseline: true unless both figures
     * belong to the same implementation ({@code pvnet.batch32} / {@code pvnet.batch1}, {@code latency.p999} /
     * {@code latency.p50}), the pairs that are a pvnet figure beside another
     */
    private static boolean sameImplementationLegacy(final String name, final String baseline)
    {
        final int a = name.indexOf('.');
        final int b = baseline.indexOf('.');
        return !(a > 0 && b > 0 && name.substring(0, a).equals(baseline.substring(0, b)));
    }
}
