package io.pvnet.engine.vif;

/**
 * The NAPI budget of vif backends: at most this many packets taken from a guest's tx ring, and at most this many
 * queued frames handed to its rx ring, per duty cycle of one vif, so that a busy vif cannot starve the others a host
 * thread serves (Linux {@code NAPI_POLL_WEIGHT} and {@code XENVIF_NAPI_WEIGHT}, both 64, "strongly advised not to use
 * bigger"). Process-wide, read when a backend is created: set it before creating vifs ({@code --napi-budget} on
 * {@code switch}, {@code bench} and {@code latency}; {@code -Dpvnet.napi.budget}).
 * <p>
 * Threading: set at configuration time, read by any thread.
 */
public final class VifPolling
{
    /** Linux's weight. */
    public static final int DEFAULT_BUDGET = 64;
    /** A ring's slots: a larger budget could never be used up in one cycle. */
    public static final int MAX_BUDGET = VifSections.RING_SIZE;

    private static volatile int budget = check(Integer.getInteger("pvnet.napi.budget", DEFAULT_BUDGET));

    private VifPolling()
    {
    }

    /** {@return the budget new backends take} */
    public static int budget()
    {
        return budget;
    }

    /**
     * Sets the budget of backends created from now on.
     *
     * @param packets tx packets and rx frames per duty cycle of one vif.
     * @throws IllegalArgumentException with {@code napiBudget=value} outside 1..{@value #MAX_BUDGET}.
     */
    public static void budget(final int packets)
    {
        budget = check(packets);
    }

    private static int check(final int packets)
    {
        if (packets < 1 || packets > MAX_BUDGET)
        {
            throw new IllegalArgumentException("napiBudget=" + packets + " must be in 1.." + MAX_BUDGET);
        }
        return packets;
    }
}
