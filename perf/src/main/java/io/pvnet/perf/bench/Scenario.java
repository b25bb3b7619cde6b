package io.pvnet.perf.bench;

/**
 * One {@code ./pvnet bench} scenario: a family of related figures measured in one go (for example {@code ring}).
 * <p>
 * A scenario measures each of its figures for {@link ScenarioContext#duration()} after a warm-up of
 * {@link ScenarioContext#warmup()}, shows live progress through {@link ScenarioContext#progress}, and reports each figure
 * with {@link ScenarioContext#report}. Scenarios are listed in {@link Scenarios}.
 */
public interface Scenario
{
    /** @return the name used with {@code --scenario}, for example {@code ring}. */
    String name();

    /** @return one line for {@code --list}. */
    String description();

    /** @return how many figures {@link #run} measures, each for one duration; used to fit the default run in a minute. */
    int measurementCount();

    /** @return how many threads the scenario keeps busy at once (spinning); the harness warns when the machine has fewer cores. */
    default int busyThreads()
    {
        return 1;
    }

    /**
     * Measures every figure. Runs on the harness thread; the scenario starts and stops any threads of its own.
     *
     * @param context durations, progress and the place to report figures.
     * @throws Exception when the scenario cannot run; the harness reports it and goes on to the next one.
     */
    void run(ScenarioContext context) throws Exception;
}
