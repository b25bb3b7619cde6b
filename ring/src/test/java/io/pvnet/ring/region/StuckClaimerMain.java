package io.pvnet.ring.region;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A claimer in a second JVM that names a section table entry and never publishes it ({@link SectionTableStressTest}):
 * it writes entry {@code args[1]} of the region file {@code args[0]} as {@link SectionTable} leaves it between naming
 * and publishing (name {@code args[2]}, its own start time from {@code /proc/self/stat}, the claim time now, then the
 * named state with its pid, released last), prints {@code named}, and waits to be killed.
 */
public final class StuckClaimerMain
{
    private StuckClaimerMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Region region = Region.open(Path.of(args[0]));
        final int entry = RegionDescriptor.sectionEntryOffset(Integer.parseInt(args[1]));
        final byte[] name = args[2].getBytes(StandardCharsets.US_ASCII);
        final AtomicBuffer buffer = region.buffer();
        final int claim = RegionDescriptor.SECTION_CLAIMED | (int)ProcessHandle.current().pid();
        if (!buffer.compareAndSetInt(entry + RegionDescriptor.SECTION_STATE_OFFSET, RegionDescriptor.SECTION_FREE, claim))
        {
            System.out.println("entry not free");
            System.exit(1);
        }
        buffer.putInt(entry + RegionDescriptor.SECTION_NAME_LENGTH_OFFSET, name.length);
        buffer.putBytes(entry + RegionDescriptor.SECTION_NAME_OFFSET, name);
        buffer.putLong(entry + RegionDescriptor.SECTION_CLAIMER_START_OFFSET, ProcessStart.self());
        buffer.putLong(entry + RegionDescriptor.SECTION_CLAIM_TIME_OFFSET, System.currentTimeMillis());
        buffer.putIntRelease(entry + RegionDescriptor.SECTION_STATE_OFFSET,
            RegionDescriptor.SECTION_NAMED | (int)ProcessHandle.current().pid());
        System.out.println("named");
        System.out.flush();
        Thread.sleep(120_000); // stuck: killed by the test
        System.exit(2);
    }
}
