package io.pvnet.perf.bench;

import io.pvnet.perf.harness.BenchOptions;
import io.pvnet.perf.harness.Scenario;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunPlanTest
{
    @Test
    void shouldFitDefaultRunIntoAboutAMinuteWhenClampsAllowIt()
    {
        for (int figures = 1; figures <= 80; figures++)
        {
            final RunPlan plan = RunPlan.fit(figures, null, null);
            final double perFigure = plan.durationSeconds() + plan.warmupSeconds();
            assertEquals(figures * perFigure, plan.estimatedSeconds(), 1e-9);
            assertTrue(plan.durationSeconds() >= RunPlan.MIN_FITTED_SECONDS && plan.durationSeconds() <= RunPlan.MAX_FITTED_SECONDS);
            assertTrue(plan.warmupSeconds() <= RunPlan.MAX_DEFAULT_WARMUP_SECONDS);
            final boolean clamped = plan.durationSeconds() == RunPlan.MIN_FITTED_SECONDS ||
                plan.durationSeconds() == RunPlan.MAX_FITTED_SECONDS;
            if (!clamped)
            {
                assertEquals(60.0, plan.estimatedSeconds(), 1e-6, "figures=" + figures);
            }
            else if (plan.durationSeconds() == RunPlan.MAX_FITTED_SECONDS)
            {
                assertTrue(plan.estimatedSeconds() <= 60.0, "figures=" + figures);
            }
        }
    }

    @Test
    void shouldFitKnownCases()
    {
        // 12 figures: 5 s per figure = d + d/2 -> d = 3.333, warm-up 1.667
        final RunPlan twelve = RunPlan.fit(12, null, null);
        assertEquals(10.0 / 3, twelve.durationSeconds(), 1e-9);
        assertEquals(5.0 / 3, twelve.warmupSeconds(), 1e-9);
        // 10 figures: 6 s per figure -> d = 4, warm-up 2 (the kink)
        assertEquals(4.0, RunPlan.fit(10, null, null).durationSeconds(), 1e-9);
        // 3 figures: 20 s per figure, but at most 5 s measured + 2 s warm-up
        final RunPlan three = RunPlan.fit(3, null, null);
        assertEquals(5.0, three.durationSeconds(), 1e-9);
        assertEquals(21.0, three.estimatedSeconds(), 1e-9);
        // 100 figures cannot fit: 1 s each, and the estimate says so
        assertEquals(150.0, RunPlan.fit(100, null, null).estimatedSeconds(), 1e-9);
    }

    @Test
    void shouldHonourUserDurationAndWarmup()
    {
        final RunPlan given = RunPlan.fit(12, 0.5, 0.0);
        assertEquals(0.5, given.durationSeconds());
        assertEquals(0.0, given.warmupSeconds());
        assertEquals(6.0, given.estimatedSeconds(), 1e-9);
        assertEquals(0.25, RunPlan.fit(12, 0.5, null).warmupSeconds(), 1e-9);
        // only the warm-up given: the duration takes the rest of the minute
        final RunPlan warm = RunPlan.fit(12, null, 1.0);
        assertEquals(4.0, warm.durationSeconds(), 1e-9);
        assertEquals(60.0, warm.estimatedSeconds(), 1e-9);
    }

    @Test
    void shouldPlanTheDefaultFullRunAsTheSumOfItsScenariosEstimates()
    {
        final List<Scenario> all = Scenarios.all();
        final RunPlan plan = RunPlan.of(all, BenchOptions.defaults(), null, null);
        int figures = 0;
        double sum = 0;
        for (final Scenario scenario : all)
        {
            figures += scenario.measurementCount(BenchOptions.defaults());
            sum += scenario.estimatedSeconds(BenchOptions.defaults(), plan.durationSeconds(), plan.warmupSeconds());
        }
        assertEquals(figures, plan.figures());
        assertEquals(sum, plan.estimatedSeconds(), 1e-9);
        // the per-figure times stay fitted from the figures alone
        final RunPlan fitted = RunPlan.fit(figures, null, null);
        assertEquals(fitted.durationSeconds(), plan.durationSeconds(), 1e-9);
        assertEquals(fitted.warmupSeconds(), plan.warmupSeconds(), 1e-9);
        // idle's windows and wake's warm-ups: far more than the fitted figures' share
        assertTrue(plan.estimatedSeconds() > fitted.estimatedSeconds() + 60, plan + " vs " + fitted);
    }

    @Test
    void shouldPlanUserDurationsThroughEachScenariosEstimate()
    {
        final List<Scenario> idleAndWake = List.of(new IdleScenario(), new WakeScenario());
        final RunPlan plan = RunPlan.of(idleAndWake, BenchOptions.defaults(), 30.0, 0.0);
        assertEquals(30.0, plan.durationSeconds());
        assertEquals(new IdleScenario().estimatedSeconds(BenchOptions.defaults(), 30.0, 0.0) +
            new WakeScenario().estimatedSeconds(BenchOptions.defaults(), 30.0, 0.0), plan.estimatedSeconds(), 1e-9);
    }

    @Test
    void shouldEstimateIdleAtItsFloorUpToItsShortestWindowAndLongerAboveIt()
    {
        final IdleScenario idle = new IdleScenario();
        final BenchOptions options = BenchOptions.defaults();
        // three measurements, each settled >= 10 s + two 2 s heartbeats and measured >= 20 s, after starting 3 JVMs
        // and setting up 64 + 1024 vifs
        final double floor = idle.estimatedSeconds(options, 1.0, 0.5);
        assertEquals(3 * (IdleScenario.SETTLE_MIN_MS + 2 * 2_000 + IdleScenario.WINDOW_MIN_MS) / 1000.0 +
            IdleScenario.setUpSeconds(), floor, 1e-9);
        assertEquals((3 * io.pvnet.perf.vif.ChildJvm.START_ESTIMATE_MS + 1088 * IdleScenario.SET_UP_MS_PER_VIF) / 1000.0,
            IdleScenario.setUpSeconds(), 1e-9);
        assertEquals(floor, idle.estimatedSeconds(options, 0.1, 0.0), 1e-9);
        assertEquals(floor, idle.estimatedSeconds(options, 20.0, 2.0), 1e-9);
        // above 20 s the windows grow with the duration, in whole heartbeats
        assertEquals(floor + 3 * 10, idle.estimatedSeconds(options, 30.0, 2.0), 1e-9);
        assertEquals(floor + 3 * 2, idle.estimatedSeconds(options, 20.5, 2.0), 1e-9);
        assertTrue(idle.estimatedSeconds(options, 60.0, 2.0) > idle.estimatedSeconds(options, 40.0, 2.0));
        // a warm-up above 10 s lengthens each settling
        assertEquals(floor + 3 * 5, idle.estimatedSeconds(options, 1.0, 15.0), 1e-9);
        // not figures x (warm-up + duration): 3 x 1.5 s would promise 4.5 s
        assertTrue(floor > 100, "floor=" + floor);
    }

    @Test
    void shouldEstimateWakeFromItsFivePathsAndTheirOwnWarmups()
    {
        final WakeScenario wake = new WakeScenario();
        // 4 paths with an asleep check: fast warm-up to max(warm-up, 1 s), half the warm-up gapped, the duration;
        // eventfd back to back: half the warm-up, half the warm-up, the duration
        assertEquals(4 * (2 + 1 + 5) + (1 + 1 + 5), wake.estimatedSeconds(BenchOptions.defaults(), 5.0, 2.0), 1e-9);
        assertEquals(4 * (1 + 0.25 + 1) + (0.25 + 0.25 + 1), wake.estimatedSeconds(BenchOptions.defaults(), 1.0, 0.5),
            1e-9);
    }

    @Test
    void shouldEstimateTheSwitchWithEachFiguresPipelineSetUpFromItsVifCount()
    {
        final SwitchScenario bridge = new SwitchScenario();
        // --vifs 1024 --size 64: vif.64, then 64 and TSO at 2 vifs and at 1,024, each pipeline set up afresh
        final BenchOptions thousand = BenchOptions.builder().vifs(1024).sizes(64).build();
        assertEquals(5 * 7.0 + 2 * (2 + 1024) * SwitchScenario.SET_UP_MS_PER_VIF / 1000.0,
            bridge.estimatedSeconds(thousand, 5.0, 2.0), 1e-9);
        // the default 2 and 4 vifs: set-up well under a second
        final double defaults = bridge.estimatedSeconds(BenchOptions.defaults(), 5.0, 2.0);
        assertTrue(defaults - bridge.measurementCount(BenchOptions.defaults()) * 7.0 < 0.1, "defaults=" + defaults);
    }

    @Test
    void shouldEstimateVifXprocWithAGuestJvmStartedPerFigureAndVifWithXprocAsIt()
    {
        final double start = io.pvnet.perf.vif.ChildJvm.START_ESTIMATE_MS / 1000.0;
        // 64, 1500 and TSO, each in a guest JVM of its own
        assertEquals(3 * (start + 2 + 5), new VifXprocScenario().estimatedSeconds(BenchOptions.defaults(), 5.0, 2.0), 1e-9);
        final BenchOptions xproc = BenchOptions.builder().xproc(true).build();
        assertEquals(new VifXprocScenario().estimatedSeconds(xproc, 5.0, 2.0),
            new VifScenario().estimatedSeconds(xproc, 5.0, 2.0), 1e-9);
        // in process: figures x (warm-up + duration)
        final VifScenario vif = new VifScenario();
        assertEquals(vif.measurementCount(BenchOptions.defaults()) * 7.0, vif.estimatedSeconds(BenchOptions.defaults(), 5.0, 2.0),
            1e-9);
    }

    @Test
    void shouldEstimateTsoAndRingWithOneWarmupSharedByTheirInterleavedFigures()
    {
        // 2 s warm-up for all three, then their slices in turn for 3 x 5 s (took 17.2 s, the old plan said 21)
        assertEquals(2 + 3 * 5, new io.pvnet.perf.checksum.TsoScenario().estimatedSeconds(BenchOptions.defaults(), 5.0, 2.0),
            1e-9);
        // ring likewise: 5 transports, one warm-up shared, then interleaved rounds (took 30 s, the old plan said 35)
        assertEquals(2 + 5 * 5, new io.pvnet.perf.ring.RingScenario().estimatedSeconds(BenchOptions.defaults(), 5.0, 2.0),
            1e-9);
    }

    @Test
    void shouldRejectBadDurations()
    {
        assertEquals("--duration=0.0 must be > 0 and at most 86400 seconds",
            assertThrows(IllegalArgumentException.class, () -> RunPlan.fit(1, 0.0, null)).getMessage());
        assertEquals("--duration=NaN must be > 0 and at most 86400 seconds",
            assertThrows(IllegalArgumentException.class, () -> RunPlan.fit(1, Double.NaN, null)).getMessage());
        assertEquals("--warmup=-1.0 must be >= 0 and at most 86400 seconds",
            assertThrows(IllegalArgumentException.class, () -> RunPlan.fit(1, 1.0, -1.0)).getMessage());
    }
}
