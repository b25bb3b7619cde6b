package io.pvnet.perf.cli.engine;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Waits until a guest answers echoes before a test counts them: first contact (ARP, bridge learning, cold JITs in
 * several JVMs, a guest asleep in adaptive mode) can take longer on a loaded machine than gen's 200 ms wait for
 * answers after its last frame, and the frames of a gen started beside a guest that is still starting are lost.
 */
final class EchoWarmup
{
    private static final Pattern ANSWERED = Pattern.compile("answered (\\d+)");

    private EchoWarmup()
    {
    }

    /**
     * Runs short UDP echo gens ({@code --count 20 --rate 1000}) until one gets an answer, 60 s at most.
     *
     * @param region the switch's region.
     * @param vif    the vif gen attaches to.
     * @param ip     gen's address with its prefix, {@code 10.77.0.100/24}.
     * @param dst    the guest's address.
     * @return the answers the warm-up gens got (requests the guest saw and answered).
     * @throws AssertionError when none came back in 60 s, with the last gen's output.
     */
    static long awaitFirstEcho(final Path region, final int vif, final String ip, final String dst) throws Exception
    {
        final long deadlineNs = System.nanoTime() + 60_000_000_000L;
        String last = "";
        while (System.nanoTime() - deadlineNs < 0)
        {
            try (CommandProcess gen = new CommandProcess("gen", "--region", region.toString(), "--vif",
                Integer.toString(vif), "--ip", ip, "--dst", dst, "--echo", "--count", "20", "--rate", "1000"))
            {
                gen.awaitExit(60_000);
                last = gen.output();
                final Matcher answered = ANSWERED.matcher(last);
                if (answered.find() && Long.parseLong(answered.group(1)) > 0)
                {
                    return Long.parseLong(answered.group(1));
                }
            }
        }
        throw new AssertionError("no echo from " + dst + " in 60 s: " + last);
    }
}
