package io.pvnet.ring.region;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * A claimer in a second JVM that names a section table entry and never publishes it ({@link SectionTableStressTest}):
 * it runs the first half of an allocation ({@link SectionTable#claimNamed}: the claim, the name, its start time and the
 * claim time, the named state with its pid) on the region file {@code args[0]} for name {@code args[1]}, prints
 * {@code named INDEX}, and waits to be killed.
 */
public final class StuckClaimerMain
{
    private StuckClaimerMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Region region = Region.open(Path.of(args[0]));
        final SectionTable table = new SectionTable(region.path(), new UnsafeBuffer(region.buffer()), region.segment(),
            SystemEpochClock.INSTANCE);
        final int index = table.claimNamed(args[1], 1);
        System.out.println("named " + index);
        System.out.flush();
        Thread.sleep(120_000); // stuck: killed by the test
        System.exit(2);
    }
}
