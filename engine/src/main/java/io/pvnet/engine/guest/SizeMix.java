package io.pvnet.engine.guest;

import java.util.Arrays;

/**
 * The payload sizes a generator cycles through, frame by frame: one size, a list (each in turn, equal shares), or the
 * simple IMIX (IP packets of 40, 576 and 1500 bytes in the proportions 7:4:1, interleaved within each cycle of 12).
 * Immutable; {@link #size(long)} allocates nothing.
 */
public final class SizeMix
{
    /** IP packet lengths of the simple IMIX. */
    private static final int[] IMIX_IP_LENGTHS = {40, 576, 1500};
    /** Their weights. */
    private static final int[] IMIX_WEIGHTS = {7, 4, 1};

    private final int[] schedule;
    private final String description;

    private SizeMix(final int[] schedule, final String description)
    {
        this.schedule = schedule;
        this.description = description;
    }

    /**
     * {@return the sizes {@code payloadBytes}, each in turn}
     *
     * @param payloadBytes payload sizes in bytes.
     */
    public static SizeMix of(final int... payloadBytes)
    {
        if (payloadBytes.length == 0)
        {
            throw new IllegalArgumentException("sizes must not be empty");
        }
        return new SizeMix(payloadBytes.clone(), Arrays.toString(payloadBytes).replaceAll("[\\[\\] ]", ""));
    }

    /**
     * The simple IMIX: IP packets of 40, 576 and 1500 bytes, 7:4:1, as payloads of {@code 40 - headerBytes}, ...
     * (for UDP over IPv4 {@code headerBytes} is 28, for ICMP echo 28). The order within a cycle of 12 spreads the large
     * packets: 40 576 40 40 576 40 1500 40 576 40 40 576.
     *
     * @param headerBytes IP and L4 header bytes inside the IP packet lengths (28 for UDP or ICMP echo over IPv4).
     * @return the mix, cycling over 12 sizes.
     */
    public static SizeMix imix(final int headerBytes)
    {
        final int small = IMIX_IP_LENGTHS[0] - headerBytes;
        final int medium = IMIX_IP_LENGTHS[1] - headerBytes;
        final int large = IMIX_IP_LENGTHS[2] - headerBytes;
        final int[] schedule = {small, medium, small, small, medium, small, large, small, medium, small, small, medium};
        assert count(schedule, small) == IMIX_WEIGHTS[0] && count(schedule, medium) == IMIX_WEIGHTS[1];
        return new SizeMix(schedule, "imix 7:4:1 of IP 40,576,1500 (payload " + small + "," + medium + "," + large + ")");
    }

    private static int count(final int[] values, final int value)
    {
        int n = 0;
        for (final int v : values)
        {
            n += v == value ? 1 : 0;
        }
        return n;
    }

    /**
     * {@return the payload size of frame number {@code index} (from 0)}
     *
     * @param index the frame's number in the run (from 0).
     */
    public int size(final long index)
    {
        return schedule[(int)Long.remainderUnsigned(index, schedule.length)];
    }

    /**
     * {@return the largest size}
     */
    public int max()
    {
        return Arrays.stream(schedule).max().orElseThrow();
    }

    /**
     * {@return the smallest size}
     */
    public int min()
    {
        return Arrays.stream(schedule).min().orElseThrow();
    }

    /**
     * {@return one cycle of sizes (a copy)}
     */
    public int[] schedule()
    {
        return schedule.clone();
    }

    /** {@return e.g. {@code 64,576,1500} or the IMIX's description} */
    @Override
    public String toString()
    {
        return description;
    }
}
