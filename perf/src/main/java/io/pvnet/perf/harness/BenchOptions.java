package io.pvnet.perf.harness;

import io.pvnet.ring.event.IdleMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * The user's choices for a {@code ./pvnet bench} run ({@code --size}, {@code --tso}, {@code --vifs}, {@code --batch},
 * {@code --idle}, {@code --threading}, {@code --xproc}), passed to every scenario through
 * {@link ScenarioContext#options()}.
 * <p>
 * A scenario reads the choices that apply to it, each with the default it uses when the user gave none, for example
 * {@code options.batch(32)} or {@code options.sizes(64, 1500)}, and ignores the rest. The harness notes which choices
 * the user made that a scenario did not read ({@link #ignored()}), so nobody believes a figure was measured with a
 * setting it never saw.
 * <p>
 * Values are validated when built ({@link Builder#build()}): a bad value is an {@link IllegalArgumentException} naming
 * the option and the value. Threading: the values are immutable; the read-tracking may be touched from any thread.
 */
public final class BenchOptions
{
    /** Smallest and largest frame size accepted by {@code --size}, in bytes (a 64 KiB TSO super-frame is the largest). */
    public static final int MIN_SIZE_BYTES = 1;
    public static final int MAX_SIZE_BYTES = 65_536;
    /** Largest values accepted by {@code --vifs} and {@code --batch}. */
    public static final int MAX_VIFS = io.pvnet.ring.event.EventSelectorDescriptor.MAX_CAPACITY;
    public static final int MAX_BATCH = 65_536;

    /** Every choice a user can make, with its option name. */
    public enum Choice
    {
        SIZE("--size"), TSO("--tso"), VIFS("--vifs"), BATCH("--batch"), IDLE("--idle"), THREADING("--threading"),
        XPROC("--xproc"), QUEUES("--queues");

        private final String optionName;

        Choice(final String optionName)
        {
            this.optionName = optionName;
        }

        /** @return the command-line option, for example {@code --size}. */
        public String optionName()
        {
            return optionName;
        }
    }

    /** How many threads run the agents of a scenario, as Aeron's {@code ThreadingMode}. */
    public enum Threading
    {
        /** One thread per agent (per backend, per port). */
        DEDICATED,
        /** All agents on one thread, run in turn by a composite agent. */
        SHARED;

        /** @return the name used on the command line, for example {@code dedicated}. */
        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @return the mode named {@code text} (case-insensitive). */
        public static Threading parse(final String text)
        {
            for (final Threading threading : values())
            {
                if (threading.label().equalsIgnoreCase(text.trim()))
                {
                    return threading;
                }
            }
            throw new IllegalArgumentException("--threading=" + text + " is not one of dedicated, shared");
        }
    }

    private final int[] sizes;
    private final Boolean tso;
    private final int vifs;
    private final int batch;
    private final IdleMode idle;
    private final Threading threading;
    private final boolean xproc;
    private final int[] queues;

    private final EnumSet<Choice> read = EnumSet.noneOf(Choice.class);
    private boolean onlyFirstSizeRead;

    private BenchOptions(
        final int[] sizes,
        final Boolean tso,
        final int vifs,
        final int batch,
        final IdleMode idle,
        final Threading threading,
        final boolean xproc,
        final int[] queues)
    {
        this.queues = queues;
        this.sizes = sizes;
        this.tso = tso;
        this.vifs = vifs;
        this.batch = batch;
        this.idle = idle;
        this.threading = threading;
        this.xproc = xproc;
    }

    /** @return options with no choice made: every scenario uses its own defaults. */
    public static BenchOptions defaults()
    {
        return builder().build();
    }

    /** @return a builder with no choice made. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return the same choices with nothing read yet, for one scenario. */
    public BenchOptions forScenario()
    {
        return new BenchOptions(sizes, tso, vifs, batch, idle, threading, xproc, queues);
    }

    /** @return whether the user made this choice. */
    public boolean isSet(final Choice choice)
    {
        return switch (choice)
        {
            case SIZE -> sizes != null;
            case TSO -> tso != null;
            case VIFS -> vifs > 0;
            case BATCH -> batch > 0;
            case IDLE -> idle != null;
            case THREADING -> threading != null;
            case XPROC -> xproc;
            case QUEUES -> queues != null;
        };
    }

    /**
     * @param defaults the queue counts the scenario measures when the user gave none.
     * @return the queues per vif to measure with, in the order given (a fresh array).
     */
    public int[] queues(final int... defaults)
    {
        markRead(Choice.QUEUES, false);
        return (queues != null ? queues : defaults).clone();
    }

    /**
     * @param defaults the frame sizes the scenario measures when the user gave none.
     * @return the frame sizes to measure, in bytes, in the order given (a fresh array).
     */
    public int[] sizes(final int... defaults)
    {
        markRead(Choice.SIZE, false);
        return (sizes != null ? sizes : defaults).clone();
    }

    /**
     * For scenarios that measure one frame size only; when the user gave a list, the harness notes that only the
     * first was used.
     *
     * @param defaultBytes the size used when the user gave none.
     * @return the frame size, in bytes.
     */
    public int size(final int defaultBytes)
    {
        markRead(Choice.SIZE, true);
        return sizes != null ? sizes[0] : defaultBytes;
    }

    /** @return whether TSO (64 KiB super-frames split in software) is on; {@code defaultOn} when not chosen. */
    public boolean tso(final boolean defaultOn)
    {
        markRead(Choice.TSO, false);
        return tso != null ? tso : defaultOn;
    }

    /** @return how many vifs to run; {@code defaultCount} when not chosen. */
    public int vifs(final int defaultCount)
    {
        markRead(Choice.VIFS, false);
        return vifs > 0 ? vifs : defaultCount;
    }

    /** @return frames per batch; {@code defaultBatch} when not chosen. */
    public int batch(final int defaultBatch)
    {
        markRead(Choice.BATCH, false);
        return batch > 0 ? batch : defaultBatch;
    }

    /**
     * @return how waiting threads wait (the ring module's {@link IdleMode}, which makes Agrona idle strategies);
     * {@code defaultIdle} when not chosen.
     */
    public IdleMode idle(final IdleMode defaultIdle)
    {
        markRead(Choice.IDLE, false);
        return idle != null ? idle : defaultIdle;
    }

    /** @return how agents map to threads; {@code defaultThreading} when not chosen. */
    public Threading threading(final Threading defaultThreading)
    {
        markRead(Choice.THREADING, false);
        return threading != null ? threading : defaultThreading;
    }

    /** @return whether frontends run in a second JVM (cross-process) rather than in this one. */
    public boolean xproc()
    {
        markRead(Choice.XPROC, false);
        return xproc;
    }

    /** @return the choices the user made that were not read since {@link #forScenario()}, as {@code --tso on}. */
    public synchronized List<String> ignored()
    {
        final List<String> ignored = new ArrayList<>();
        for (final Choice choice : Choice.values())
        {
            if (isSet(choice) && !read.contains(choice))
            {
                ignored.add(describe(choice));
            }
        }
        return ignored;
    }

    /** @return whether a list of sizes was given but the scenario only read the first one. */
    public synchronized boolean onlyFirstSizeRead()
    {
        return onlyFirstSizeRead && sizes != null && sizes.length > 1;
    }

    /** @return the choice as the user would type it, for example {@code --size 64,1500}. */
    public String describe(final Choice choice)
    {
        return switch (choice)
        {
            case SIZE -> "--size " + join(sizes);
            case TSO -> "--tso " + (Boolean.TRUE.equals(tso) ? "on" : "off");
            case VIFS -> "--vifs " + vifs;
            case BATCH -> "--batch " + batch;
            case IDLE -> "--idle " + (idle == null ? "" : idle.configName());
            case THREADING -> "--threading " + (threading == null ? "" : threading.label());
            case XPROC -> "--xproc";
            case QUEUES -> "--queues " + join(queues);
        };
    }

    /** @return every choice the user made, as typed, or an empty string. */
    @Override
    public String toString()
    {
        final StringJoiner joiner = new StringJoiner(" ");
        for (final Choice choice : Choice.values())
        {
            if (isSet(choice))
            {
                joiner.add(describe(choice));
            }
        }
        return joiner.toString();
    }

    private synchronized void markRead(final Choice choice, final boolean firstOnly)
    {
        if (choice == Choice.SIZE)
        {
            // reading the full list at any point means every size was used
            onlyFirstSizeRead = firstOnly && (onlyFirstSizeRead || !read.contains(Choice.SIZE));
        }
        read.add(choice);
    }

    private static String join(final int[] values)
    {
        if (values == null)
        {
            return "";
        }
        final StringJoiner joiner = new StringJoiner(",");
        for (final int value : values)
        {
            joiner.add(Integer.toString(value));
        }
        return joiner.toString();
    }

    /** Collects choices from the command line; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder
    {
        private int[] sizes;
        private Boolean tso;
        private Integer vifs;
        private Integer batch;
        private IdleMode idle;
        private Threading threading;
        private boolean xproc;
        private int[] queues;

        private Builder()
        {
        }

        /** Frame sizes in bytes; {@code null} or empty for the scenarios' defaults. */
        public Builder sizes(final List<Integer> sizes)
        {
            this.sizes = sizes == null || sizes.isEmpty() ? null : sizes.stream().mapToInt(Integer::intValue).toArray();
            return this;
        }

        /** Frame sizes in bytes; none for the scenarios' defaults. */
        public Builder sizes(final int... sizes)
        {
            this.sizes = sizes == null || sizes.length == 0 ? null : sizes.clone();
            return this;
        }

        /** TSO on or off; {@code null} for the scenarios' defaults. */
        public Builder tso(final Boolean on)
        {
            this.tso = on;
            return this;
        }

        /** Number of vifs; {@code null} for the scenarios' defaults. */
        public Builder vifs(final Integer vifs)
        {
            this.vifs = vifs;
            return this;
        }

        /** Frames per batch; {@code null} for the scenarios' defaults. */
        public Builder batch(final Integer batch)
        {
            this.batch = batch;
            return this;
        }

        /** Idle strategy; {@code null} for the scenarios' defaults. */
        public Builder idle(final IdleMode idle)
        {
            this.idle = idle;
            return this;
        }

        /** Threading mode; {@code null} for the scenarios' defaults. */
        public Builder threading(final Threading threading)
        {
            this.threading = threading;
            return this;
        }

        /** Queues per vif, one figure set per count; {@code null} or empty for the scenarios' defaults. */
        public Builder queues(final List<Integer> queues)
        {
            this.queues = queues == null || queues.isEmpty() ? null :
                queues.stream().mapToInt(Integer::intValue).toArray();
            return this;
        }

        /** Frontends in a second JVM. */
        public Builder xproc(final boolean xproc)
        {
            this.xproc = xproc;
            return this;
        }

        /**
         * @return the validated options.
         * @throws IllegalArgumentException naming the option and value when a value is out of range.
         */
        public BenchOptions build()
        {
            if (sizes != null)
            {
                for (final int size : sizes)
                {
                    if (size < MIN_SIZE_BYTES || size > MAX_SIZE_BYTES)
                    {
                        throw new IllegalArgumentException("--size=" + size + " must be between " + MIN_SIZE_BYTES +
                            " and " + MAX_SIZE_BYTES + " bytes");
                    }
                }
                if (Arrays.stream(sizes).distinct().count() != sizes.length)
                {
                    throw new IllegalArgumentException("--size=" + join(sizes) + " names a size twice");
                }
            }
            if (queues != null)
            {
                for (final int count : queues)
                {
                    checkRange("--queues", count, io.pvnet.engine.vif.VifConfig.MAX_QUEUES);
                }
                if (Arrays.stream(queues).distinct().count() != queues.length)
                {
                    throw new IllegalArgumentException("--queues=" + join(queues) + " names a count twice");
                }
            }
            checkRange("--vifs", vifs, MAX_VIFS);
            checkRange("--batch", batch, MAX_BATCH);
            return new BenchOptions(
                sizes, tso, vifs == null ? 0 : vifs, batch == null ? 0 : batch, idle, threading, xproc, queues);
        }

        private static void checkRange(final String option, final Integer value, final int max)
        {
            if (value != null && (value < 1 || value > max))
            {
                throw new IllegalArgumentException(option + "=" + value + " must be between 1 and " + max);
            }
        }
    }
}
