package io.pvnet.engine.port.pcap;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.checksum.pcap.PcapWriter;
import io.pvnet.checksum.pcap.PcapngWriter;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import io.pvnet.ring.event.DeadlineWaitPoint;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A port that writes every frame it is given to a pcapng file, switched on and off at run time, with tcpdump's snap
 * length and size-based rotation ({@link CaptureSpec}). Use it as a bridge port (it sees what the bridge floods or
 * forwards to it), or as the mirror of other ports or vifs through {@link CaptureTee} (inbound) and
 * {@link CapturedPort} (outbound): each mirrored port is an interface of the file ({@link #addInterface}), and each
 * frame carries its direction. Frames are recorded exactly as they are passed: offloaded frames keep their pseudo-header-only
 * checksum and GSO frames their full size (the port declares {@link PortOffloads#ALL} and MTU 65535 so the bridge
 * never changes them for it).
 * <p>
 * Threading: {@link #onFrame} and {@link #doWork} run on the same thread (add the port's agent to the bridge thread's
 * composite); {@link #start}, {@link #stop} and {@link #capturedRecords} from any control thread. A start or stop takes
 * effect on the next duty cycle, which opens or closes the file off the frame path; {@link #applied} tells when.
 * Nothing allocates per frame; starting the next file of a rotation (once per {@code rotate} megabytes) opens a file
 * on the frame path, as tcpdump's {@code -C} does.
 * <p>
 * Records are staged and written to the file at most {@link #FLUSH_INTERVAL_NS} after they were captured: a frame
 * arriving after a quiet spell is written on the next duty cycle (as {@code tcpdump -U}), a stream of frames once per
 * interval. As {@link DeadlineWaitPoint.TimedWork} the port tells a sleeping thread when its next flush is due, so a
 * switch that sleeps in long slices still completes its capture files on time.
 */
public final class PcapPort implements Port, Agent, DeadlineWaitPoint.TimedWork
{
    /** Longest time a captured record stays staged before it is written to the file. */
    public static final long FLUSH_INTERVAL_NS = 100_000_000L;

    private final String name;
    private final EpochNanoClock clock;
    private final PortCounters counters = new PortCounters();
    private final List<String> interfaceNames = new ArrayList<>();
    private volatile CaptureSpec requested;
    private volatile long requestSequence;
    private volatile long appliedSequence;
    private volatile long capturedRecords;
    private volatile long filesStarted;
    private CaptureSpec spec;
    private PcapngWriter writer;
    private long fileIndex;
    private long recordsBefore;
    private final NanoClock flushClock;
    private long lastFlushNs;
    /** {@link PcapngWriter#recordCount()} of the current file when it was last flushed. */
    private long flushedRecords;

    /**
     * A capture port stamping records with the system's wall clock.
     *
     * @param name the port's name in counters and logs ({@code pcap:NAME}).
     */
    public PcapPort(final String name)
    {
        this(name, new SystemEpochNanoClock());
    }

    /**
     * A capture port with its own clock, so tests control the record timestamps.
     *
     * @param name  the port's name in counters and logs ({@code pcap:NAME}).
     * @param clock the source of record timestamps (nanoseconds since the Unix epoch).
     */
    public PcapPort(final String name, final EpochNanoClock clock)
    {
        this(name, clock, new SystemNanoClock());
    }

    /**
     * A capture port with its own clocks, so tests control the record timestamps and when records are flushed.
     *
     * @param name       the port's name in counters and logs ({@code pcap:NAME}).
     * @param clock      the source of record timestamps (nanoseconds since the Unix epoch).
     * @param flushClock the monotonic clock the flush interval is measured on; the one {@link #nanosToNextDue} is
     *                   given.
     */
    public PcapPort(final String name, final EpochNanoClock clock, final NanoClock flushClock)
    {
        this.name = name;
        this.clock = clock;
        this.flushClock = flushClock;
        this.lastFlushNs = flushClock.nanoTime() - FLUSH_INTERVAL_NS;
    }

    /**
     * Declares a port whose frames this capture records, as one interface of the file. Call before {@link #start};
     * a capture with no interface declared records its own frames as one interface named after it.
     *
     * @param portName the name tshark shows as {@code frame.interface_name}, for example {@code vif1.0}.
     * @return the id to pass with each frame ({@link CaptureTee}, {@link CapturedPort}, {@link #capture}).
     */
    public synchronized int addInterface(final String portName)
    {
        interfaceNames.add(portName);
        return interfaceNames.size() - 1;
    }

    /**
     * Asks the agent to capture whole frames into {@code file} (created or truncated), closing any capture in
     * progress. Any thread.
     *
     * @param file the pcapng file.
     * @return the request's sequence number, for {@link #applied}.
     */
    public long start(final Path file)
    {
        return start(CaptureSpec.of(file));
    }

    /**
     * Asks the agent to capture as {@code spec} says (files created, or truncated when they are captures: see
     * {@link CaptureSpec#refusalToReplace}; another file counts {@code capture-failed} and stays as it was), closing any
     * capture in progress.
     * Any thread.
     *
     * @param spec the file, snap length and rotation.
     * @return the request's sequence number, for {@link #applied}.
     */
    public synchronized long start(final CaptureSpec spec)
    {
        requested = spec;
        requestSequence = requestSequence + 1;
        return requestSequence;
    }

    /** {@return files started by the current or last capture (more than one when it rotated)} */
    public long filesStarted()
    {
        return filesStarted;
    }

    /**
     * Asks the agent to stop capturing and close the file. Any thread.
     *
     * @return the request's sequence number, for {@link #applied}.
     */
    public synchronized long stop()
    {
        requested = null;
        requestSequence = requestSequence + 1;
        return requestSequence;
    }

    /**
     * {@return whether the request numbered {@code sequence} (from {@link #start}/{@link #stop}) has taken effect}
     *
     * @param sequence the number {@link #start} or {@link #stop} returned.
     */
    public boolean applied(final long sequence)
    {
        return appliedSequence >= sequence;
    }

    /** {@return records written to the current or last capture file} */
    public long capturedRecords()
    {
        return capturedRecords;
    }

    /** {@return this capture's counters: frames and bytes written, drops by reason} */
    public PortCounters counters()
    {
        return counters;
    }

    @Override
    public String name()
    {
        return "pcap:" + name;
    }

    @Override
    public int offloads()
    {
        return PortOffloads.ALL;
    }

    @Override
    public int mtu()
    {
        return 65535;
    }

    @Override
    public String roleName()
    {
        return "pcap-" + name;
    }

    @Override
    public int onFrame(final DirectBuffer buffer, final int offset, final int length, final FrameMetadata metadata)
    {
        // as a bridge port, frames come out of the bridge to it
        return capture(0, PcapngWriter.DIRECTION_OUTBOUND, buffer, offset, length);
    }

    /**
     * Records one frame of a declared interface, when capturing.
     *
     * @param interfaceId from {@link #addInterface} (0 when none was declared).
     * @param direction   {@link PcapngWriter#DIRECTION_INBOUND} (into the switch from the port) or
     *                    {@link PcapngWriter#DIRECTION_OUTBOUND}.
     * @param buffer      the frame's buffer; read, not kept.
     * @param offset      where the frame's Ethernet header starts in {@code buffer}.
     * @param length      the frame's length in bytes (only the snap length of it is written).
     * @return 0, or {@link PortDropReason#CAPTURE_FAILED} when the file could not be written (counted).
     */
    public int capture(
        final int interfaceId, final int direction, final DirectBuffer buffer, final int offset, final int length)
    {
        PcapngWriter w = writer;
        if (w == null)
        {
            return 0;
        }
        try
        {
            if (spec.rotateBytes() > 0 && w.recordCount() > 0 && w.bytesWritten() >= spec.rotateBytes())
            {
                // as tcpdump -C: the file that reached the size is closed before the next frame
                w = rotate();
                if (w == null)
                {
                    counters.txDropped(PortDropReason.CAPTURE_FAILED);
                    return PortDropReason.CAPTURE_FAILED;
                }
            }
            w.write(interfaceId < w.interfaceCount() ? interfaceId : 0, direction, buffer, offset, length,
                clock.nanoTime());
            counters.txSent(length);
            return 0;
        }
        catch (final IOException ex)
        {
            counters.txDropped(PortDropReason.CAPTURE_FAILED);
            return PortDropReason.CAPTURE_FAILED;
        }
    }

    @Override
    public int doWork()
    {
        final long sequence = requestSequence;
        if (sequence != appliedSequence)
        {
            applySlowPath(sequence);
            return 1;
        }
        final PcapngWriter w = writer;
        if (w != null)
        {
            capturedRecords = recordsBefore + w.recordCount();
            if (w.recordCount() != flushedRecords && flushClock.nanoTime() - lastFlushNs >= FLUSH_INTERVAL_NS)
            {
                flush(w);
                return 1;
            }
        }
        return 0;
    }

    /**
     * When the records staged since the last flush must be written: {@link #FLUSH_INTERVAL_NS} after that flush.
     * Owner thread (that of {@link #doWork}).
     *
     * @param nowNs now on the port's flush clock ({@link System#nanoTime()} unless constructed with another).
     * @return ns until the staged records are due (0 or less: now), {@link Long#MAX_VALUE} when none is staged.
     */
    @Override
    public long nanosToNextDue(final long nowNs)
    {
        final PcapngWriter w = writer;
        if (w == null || w.recordCount() == flushedRecords)
        {
            return Long.MAX_VALUE;
        }
        return lastFlushNs + FLUSH_INTERVAL_NS - nowNs;
    }

    private void flush(final PcapngWriter w)
    {
        lastFlushNs = flushClock.nanoTime();
        flushedRecords = w.recordCount();
        try
        {
            w.flush();
        }
        catch (final IOException ex)
        {
            counters.txDropped(PortDropReason.CAPTURE_FAILED);
        }
    }

    private void applySlowPath(final long sequence)
    {
        final CaptureSpec wanted = requested;
        closeWriter();
        if (wanted != null)
        {
            spec = wanted;
            fileIndex = 0;
            recordsBefore = 0;
            capturedRecords = 0;
            filesStarted = 0;
            writer = open(wanted.file());
        }
        appliedSequence = sequence;
    }

    private PcapngWriter rotate()
    {
        recordsBefore += writer.recordCount();
        closeWriter();
        fileIndex++;
        if (spec.files() > 0 && fileIndex >= spec.files())
        {
            try
            {
                final Path oldest = spec.fileFor(fileIndex - spec.files());
                if (CaptureSpec.refusalToReplace(oldest) == null)
                {
                    Files.deleteIfExists(oldest); // a capture of this rotation, never a file it refused to replace
                }
            }
            catch (final IOException ex)
            {
                counters.txDropped(PortDropReason.CAPTURE_FAILED);
            }
        }
        writer = open(spec.fileFor(fileIndex));
        return writer;
    }

    private PcapngWriter open(final Path file)
    {
        FileChannel channel = null;
        try
        {
            final String refusal = CaptureSpec.refusalToReplace(file);
            if (refusal != null)
            {
                throw new IOException(refusal);
            }
            // no TRUNCATE_EXISTING: a file swapped in since the check above is checked again through this channel
            // before it is cut
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
            final String swapped = CaptureSpec.refusalToReplace(file, channel);
            if (swapped != null)
            {
                throw new IOException(swapped);
            }
            channel.truncate(0);
            channel.position(0);
            final PcapngWriter opened = new PcapngWriter(channel, "pvnet");
            flushedRecords = 0;
            synchronized (this)
            {
                if (interfaceNames.isEmpty())
                {
                    opened.addInterface(name, PcapWriter.LINKTYPE_ETHERNET, spec.snapLength());
                }
                for (final String interfaceName : interfaceNames)
                {
                    opened.addInterface(interfaceName, PcapWriter.LINKTYPE_ETHERNET, spec.snapLength());
                }
            }
            filesStarted++;
            return opened;
        }
        catch (final IOException | RuntimeException ex)
        {
            if (channel != null)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // already failing: the count below says so
                }
            }
            counters.txDropped(PortDropReason.CAPTURE_FAILED);
            return null;
        }
    }

    private void closeWriter()
    {
        if (writer != null)
        {
            capturedRecords = recordsBefore + writer.recordCount();
            try
            {
                writer.close();
            }
            catch (final IOException ex)
            {
                counters.txDropped(PortDropReason.CAPTURE_FAILED);
            }
            writer = null;
        }
    }

    @Override
    public void onClose()
    {
        closeWriter();
    }
}
