package io.pvnet.perf.harness;

import io.pvnet.engine.vif.VifPolling;
import io.pvnet.ring.event.IdleMode;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --napi-budget} and {@code --spin-us}, shared by {@code switch}, {@code guest}, {@code gen}, {@code bench} and
 * {@code latency} (a picocli mixin): the NAPI budget of vif backends ({@link VifPolling}) and the spin window of the
 * {@code adaptive} idle mode ({@link IdleMode#spinWindowNs(long)}), both process-wide and applied before any vif or
 * agent is created.
 */
public final class PollingOptions
{
    @Option(names = "--napi-budget", paramLabel = "PACKETS",
        description = "Packets a vif backend takes from a guest's tx ring (and queued frames it hands to its rx ring) " +
            "per duty cycle before the thread serves the next vif, and frames a guest takes from its rx ring per duty " +
            "cycle (1..256, default 64 as Linux's NAPI weight).")
    Integer napiBudget;

    @Option(names = "--spin-us", paramLabel = "US",
        description = {"adaptive idle: how long a thread keeps polling after its last work before it sleeps " +
            "(0..1000000 us, default 50; 0 sleeps at once as --idle sleep). A thread that has stayed awake with " +
            "work for 1 ms (a stream) polls at least 1 ms, and so does pvnet switch for a vif with 1 ms of work;",
            // a line of its own: help wraps after a dot, which would split the property's name
            "-Dpvnet.idle.stream.spin.us sets that 1 ms.",
            "With the default 50 us only (given or not), a thread woken by one batch of work polls 10 us (the " +
                "wake-up window) before it sleeps again; any other window is kept whole.",
            // a line of its own, as above
            "-Dpvnet.idle.wake.spin.us sets that 10 us."})
    Long spinUs;

    private static volatile boolean spinWindowGiven;

    /**
     * Applies the options given (the others keep their defaults).
     *
     * @throws IllegalArgumentException naming the flag and its range.
     */
    public void apply()
    {
        spinWindowGiven = false; // this command's options, not an earlier one's in the same JVM (tests)
        if (napiBudget != null)
        {
            if (napiBudget < 1 || napiBudget > VifPolling.MAX_BUDGET)
            {
                throw new IllegalArgumentException("--napi-budget=" + napiBudget + " must be in 1.." + VifPolling.MAX_BUDGET);
            }
            VifPolling.budget(napiBudget);
        }
        if (spinUs != null)
        {
            if (spinUs < 0 || spinUs > IdleMode.MAX_SPIN_WINDOW_NS / 1_000)
            {
                throw new IllegalArgumentException("--spin-us=" + spinUs + " must be in 0.." +
                    IdleMode.MAX_SPIN_WINDOW_NS / 1_000);
            }
            IdleMode.spinWindowNs(spinUs * 1_000);
            spinWindowGiven = true;
        }
    }

    /** {@return whether the user gave {@code --spin-us} (a scenario with its own default then uses the user's)} */
    public static boolean spinWindowGiven()
    {
        return spinWindowGiven;
    }

    /** @return the options in force, as arguments for a child {@code switch} / {@code guest} process. */
    public static List<String> childArguments()
    {
        final List<String> arguments = new ArrayList<>();
        arguments.add("--napi-budget");
        arguments.add(Integer.toString(VifPolling.budget()));
        arguments.add("--spin-us");
        arguments.add(Long.toString(IdleMode.spinWindowNs() / 1_000));
        return arguments;
    }

    /** @return a short description for a run's header, e.g. {@code napi-budget 64, spin 50 us}. */
    public static String describe()
    {
        return "napi-budget " + VifPolling.budget() + ", spin " + IdleMode.spinWindowNs() / 1_000 + " us";
    }
}
