package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchResult;
import io.pvnet.perf.harness.Scenario;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs one scenario through {@code pvnet bench} as a user would, and reads its figures back from the --json file. */
final class ScenarioRun
{
    private ScenarioRun()
    {
    }

    /**
     * Runs {@code scenario} with {@code args} and {@code --json} into {@code dir}; the run must exit 0.
     *
     * @return each figure's value by name, as the JSON file holds it.
     */
    static Map<String, Double> figures(final Scenario scenario, final Path dir, final String... args) throws IOException
    {
        final Path json = dir.resolve(scenario.name() + ".json");
        final BenchCommand command = new BenchCommand();
        command.scenarios = List.of(scenario);
        final String[] withJson = Arrays.copyOf(args, args.length + 2);
        withJson[args.length] = "--json";
        withJson[args.length + 1] = json.toString();
        final StringWriter stderr = new StringWriter();
        assertEquals(0, new CommandLine(command).setErr(new PrintWriter(stderr, true)).execute(withJson),
            stderr.toString());
        final Map<String, Double> figures = new HashMap<>();
        for (final BenchResult result : BenchJson.read(Files.readString(json)).results())
        {
            figures.put(result.name(), result.value());
        }
        return figures;
    }
}
