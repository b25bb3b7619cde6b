package io.pvnet.perf.latency;

import io.pvnet.ring.event.IdleMode;

import java.util.List;

/**
 * The paths {@code ./pvnet latency --path} can time. Paths whose engine parts do not exist yet are listed too, and say
 * so when opened, rather than timing something else under their name.
 */
public final class LatencyPaths
{
    private LatencyPaths()
    {
    }

    /** @return every path, in the order the help text lists them. */
    public static List<LatencyPathFactory> all()
    {
        return List.of(
            RingLatencyPath.factory(),
            VifLatencyPath.factory(),
            SwitchLatencyPath.factory(),
            XprocVifLatencyPath.factory());
    }

    /**
     * @param name the path's name.
     * @return its factory.
     * @throws IllegalArgumentException naming the known paths when there is none of that name.
     */
    public static LatencyPathFactory byName(final String name)
    {
        for (final LatencyPathFactory factory : all())
        {
            if (factory.name().equals(name))
            {
                return factory;
            }
        }
        throw new IllegalArgumentException("--path=" + name + " is not a path; paths: " +
            String.join(", ", all().stream().map(LatencyPathFactory::name).toList()));
    }

    /** Opens a path of stamped frames for a frame size and an idle mode. */
    @FunctionalInterface
    interface StampedPathOpener
    {
        LatencyPath open(int frameBytes, IdleMode idle) throws PathUnavailableException;
    }

    /**
     * A factory for a path that sends {@link StampedFrameDescriptor} frames, which need a minimum size.
     *
     * @param open makes the path for a frame size of at least {@link StampedFrameDescriptor#MIN_FRAME_BYTES}.
     */
    static LatencyPathFactory stampedFrames(final String name, final String description, final StampedPathOpener open)
    {
        return new LatencyPathFactory()
        {
            @Override
            public String name()
            {
                return name;
            }

            @Override
            public String description()
            {
                return description;
            }

            @Override
            public LatencyPath open(final int frameBytes) throws PathUnavailableException
            {
                return open(frameBytes, IdleMode.NOOP);
            }

            @Override
            public LatencyPath open(final int frameBytes, final IdleMode idle) throws PathUnavailableException
            {
                if (frameBytes < StampedFrameDescriptor.MIN_FRAME_BYTES)
                {
                    throw new PathUnavailableException("path " + name + " needs --size >= " +
                        StampedFrameDescriptor.MIN_FRAME_BYTES + " (an Ethernet header, three timestamps and a sequence number), was " +
                        frameBytes);
                }
                return open.open(frameBytes, idle);
            }
        };
    }

    static LatencyPathFactory unavailable(final String name, final String description, final String reason)
    {
        return new LatencyPathFactory()
        {
            @Override
            public String name()
            {
                return name;
            }

            @Override
            public String description()
            {
                return description + " [not available yet]";
            }

            @Override
            public LatencyPath open(final int frameBytes) throws PathUnavailableException
            {
                throw new PathUnavailableException("path " + name + " is not available yet: " + reason);
            }
        };
    }
}
