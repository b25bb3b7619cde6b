package io.pvnet.engine.port.pcap;

import io.pvnet.checksum.pcap.PcapWriter;
import io.pvnet.engine.port.Port;
import io.pvnet.engine.port.PortCounters;
import io.pvnet.engine.port.PortDropReason;
import io.pvnet.engine.port.PortOffloads;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A port that writes every frame it is given to a libpcap file, switched on and off at run time. Use it as a bridge
 * port (it sees what the bridge floods or forwards to it), or as the mirror of another port or a vif through
 * {@link CaptureTee}. Frames are recorded exactly as they are passed: offloaded frames keep their pseudo-header-only
 * checksum and GSO frames their full size (the port declares {@link PortOffloads#ALL} and MTU 65535 so the bridge
 * never changes them for it).
 * <p>
 * Threading: {@link #onFrame} and {@link #doWork} run on the same thread (add the port's agent to the bridge thread's
 * composite); {@link #start}, {@link #stop} and {@link #capturedRecords} from any control thread. A start or stop takes
 * effect on the next duty cycle, which opens or closes the file off the frame path; {@link #applied} tells when.
 * Nothing allocates per frame.
 */
public final class PcapPort implements Port, Agent
{
    private static final long FLUSH_INTERVAL_NS = 200_000_000L;

    private final String name;
    private final EpochNanoClock clock;
    private final PortCounters counters = new PortCounters();
    private volatile Path requested;
    private volatile long requestSequence;
    private volatile long appliedSequence;
    private volatile long capturedRecords;
    private PcapWriter writer;
    private long lastFlushNs;

    /** @param name the port's name in counters and logs. */
    public PcapPort(final String name)
    {
        this(name, new SystemEpochNanoClock());
    }

    /** @param clock the source of record timestamps (nanoseconds since the Unix epoch). */
    public PcapPort(final String name, final EpochNanoClock clock)
    {
        this.name = name;
        this.clock = clock;
    }

    /** Asks the agent to capture into {@code file} (created or truncated), closing any capture in progress. */
    public synchronized long start(final Path file)
    {
        requested = file;
        requestSequence = requestSequence + 1;
        return requestSequence;
    }

    /** Asks the agent to stop capturing and close the file. */
    public synchronized long stop()
    {
        requested = null;
        requestSequence = requestSequence + 1;
        return requestSequence;
    }

    /** @return whether the request numbered {@code sequence} (from {@link #start}/{@link #stop}) has taken effect. */
    public boolean applied(final long sequence)
    {
        return appliedSequence >= sequence;
    }

    /** @return records written to the current or last capture file. */
    public long capturedRecords()
    {
        return capturedRecords;
    }

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
    public int onFrame(
        final DirectBuffer buffer, final int offset, final int length, final int flags, final int gsoSize,
        final int gsoType)
    {
        final PcapWriter w = writer;
        if (w == null)
        {
            return 0;
        }
        try
        {
            w.write(buffer, offset, length, clock.nanoTime());
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
        final PcapWriter w = writer;
        if (w != null)
        {
            capturedRecords = w.recordCount();
            final long now = System.nanoTime();
            if (now - lastFlushNs >= FLUSH_INTERVAL_NS)
            {
                lastFlushNs = now;
                try
                {
                    w.flush();
                }
                catch (final IOException ex)
                {
                    counters.txDropped(PortDropReason.CAPTURE_FAILED);
                }
                return 1;
            }
        }
        return 0;
    }

    private void applySlowPath(final long sequence)
    {
        final Path file = requested;
        closeWriter();
        if (file != null)
        {
            try
            {
                writer = PcapWriter.create(file);
                capturedRecords = 0;
            }
            catch (final IOException ex)
            {
                counters.txDropped(PortDropReason.CAPTURE_FAILED);
            }
        }
        appliedSequence = sequence;
    }

    private void closeWriter()
    {
        if (writer != null)
        {
            capturedRecords = writer.recordCount();
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
