package io.pvnet.perf.harness;

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

    /** @return how many figures {@link #run} measures, each for one duration; used to fit the per-figure duration. */
    int measurementCount();

    /**
     * @param options the user's choices (a copy: reading it here does not count as the scenario using a choice).
     * @return how many figures {@link #run} measures with these choices, for example one per {@code --size}.
     */
    default int measurementCount(final BenchOptions options)
    {
        return measurementCount();
    }

    /**
     * How long {@link #run} takes with this plan, for the plan line and the run's estimate: by default each figure's
     * warm-up and duration. A scenario whose run departs from that (fixed waits, minimum windows, warm-ups of its own,
     * child JVMs started) says so here, from the same constants its run uses, so the estimate follows the code.
     *
     * @param options         the user's choices (a copy, as for {@link #measurementCount(BenchOptions)}).
     * @param durationSeconds seconds each figure is measured ({@link ScenarioContext#duration()}).
     * @param warmupSeconds   seconds each figure is warmed up first ({@link ScenarioContext#warmup()}).
     * @return the expected seconds of {@link #run}, its set-up included where it is known.
     */
    default double estimatedSeconds(final BenchOptions options, final double durationSeconds, final double warmupSeconds)
    {
        return measurementCount(options) * (warmupSeconds + durationSeconds);
    }

    /** @return how many threads the scenario keeps busy at once (spinning); the harness warns when the machine has fewer cores. */
    default int busyThreads()
    {
        return 1;
    }

    /**
     * @param options the user's choices (a copy), for example {@code --vifs 4} with dedicated threading.
     * @return how many threads the scenario keeps busy at once with these choices.
     */
    default int busyThreads(final BenchOptions options)
    {
        return busyThreads();
    }

    /**
     * Measures every figure. Runs on the harness thread; the scenario starts and stops any threads of its own.
     *
     * @param context durations, progress and the place to report figures.
     * @throws Exception when the scenario cannot run; the harness reports it and goes on to the next one.
     */
    void run(ScenarioContext context) throws Exception;
}
