package io.pvnet.perf.vif;

import io.pvnet.engine.vif.VifConfig;
import io.pvnet.engine.VifRegion;
import io.pvnet.engine.offload.ChecksumFrameOffload;
import io.pvnet.engine.control.AdminService;
import io.pvnet.engine.control.GuestControlServer;
import io.pvnet.engine.control.ProcessProtection;
import io.pvnet.ring.region.HostFile;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.region.RegionDescriptor;
import io.pvnet.ring.share.ControlSocket;
import io.pvnet.ring.share.SealedMemory;
import io.pvnet.perf.harness.ShutdownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pvnet vif-run REGION}: runs two vifs joined by a crossover with traffic from guest 1 to guest 2 (the
 * {@code vif} bench's pipeline), so that {@code pvnet stat REGION} and {@code pvnet ifconfig REGION 1.0 ...} have
 * something live to look at. As {@code pvnet switch}: a status file at REGION, the memory in memfds no other process
 * maps, counters and settings served to this uid on {@code REGION.sock}.
 */
@Command(name = "vif-run", mixinStandardHelpOptions = true,
    description = "Run two vifs with crossover traffic for pvnet stat and pvnet ifconfig, which reach it through " +
        "REGION.sock; a summary line at the end.")
public final class VifRunCommand implements Callable<Integer>
{
    @Parameters(index = "0", paramLabel = "REGION", description = "Region file path, or name under /dev/shm/pvnet-NAME.")
    String region;

    @Option(names = "--seconds", paramLabel = "SECONDS", description = "How long to run, in seconds (default: until interrupted).")
    long seconds = Long.MAX_VALUE / 2_000_000_000L;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame length in bytes (" + MIN_SIZE + ".." +
        MAX_SIZE + ", default 1514). Above 1518 the receiving vif (MTU 1500) drops them as oversize: raise it with " +
        "pvnet ifconfig REGION vif2.0 mtu N.")
    int size = 1514;

    @Option(names = "--idle", paramLabel = "MODE", converter = io.pvnet.perf.harness.IdleConverter.class,
        description = "How the host and guest threads wait: backoff (default), busy-spin, sleep or adaptive; " +
            io.pvnet.perf.harness.IdleConverter.MEASURING_MODES)
    io.pvnet.ring.event.IdleMode idle = io.pvnet.ring.event.IdleMode.BACKOFF;

    /** The smallest frame the traffic's Ethernet, IPv4 and TCP headers and its stamp fit in ({@code VifGuests}). */
    static final int MIN_SIZE = 64;
    /** The largest packet a netif request describes (its size field is 16 bits). */
    static final int MAX_SIZE = 65535;

    /** Where the refusal of a bad option goes (tests). */
    public PrintStream err = System.err;

    @Override
    public Integer call() throws Exception
    {
        final String problem = check();
        if (problem != null)
        {
            err.println("pvnet vif-run: " + problem);
            return 2;
        }
        final Path path = region.indexOf('/') >= 0 ? Path.of(region) : Region.defaultPath(region);
        final Path socket = path.resolveSibling(path.getFileName() + ".sock");
        // as pvnet switch: the file at PATH is a status file (header, pid, heartbeat); the vifs' memory (both halves
        // here) lives in a memfd no other process gets, the counters in one only this process writes, handed
        // read-only to pvnet stat over REGION.sock; not dumpable, so /proc/PID/{fd,mem} stay closed to others
        // SIGINT/SIGTERM end the run: the summary, then every file removed (the status file, REGION.sock) before the
        // JVM exits; the latch closes last, after the region
        try (ShutdownLatch latch = new ShutdownLatch();
            Region status = Region.create(path, RegionDescriptor.headerLength(1), 1, RegionDescriptor.ROLE_VIF_RUN))
        {
            ProcessProtection.closeToOthers("pvnet vif-run", System.err);
            final long bytes = (VifRegion.regionBytes(2) + RegionDescriptor.PAGE_SIZE - 1) & -RegionDescriptor.PAGE_SIZE;
            try (SealedMemory privateMemory = SealedMemory.create("pvnet-vif-run", bytes);
                SealedMemory counters = SealedMemory.createWrittenByCreatorOnly("pvnet-counters",
                    VifRegion.countersBytes(2)))
            {
                final Region memory = Region.createIn(privateMemory.segment(), RegionDescriptor.DEFAULT_SECTION_CAPACITY);
                try (VifPipeline pipeline = new VifPipeline(memory, size, 0, 0, 0, ChecksumFrameOffload::new,
                    VifConfig.of(2, 0), 32, idle::newIdleStrategy, 0, idle, 1, counters.buffer()))
                {
                    final GuestControlServer admin = new GuestControlServer(ControlSocket.listen(socket, false),
                        pipeline.vifRegion().store(), List.of(), RegionDescriptor.ROLE_VIF_RUN, System.out)
                        .admin(new AdminService(pipeline.vifRegion().store(), counters, HostFile.effectiveUid(),
                            RegionDescriptor.ROLE_VIF_RUN, System.out)).start();
                    try
                    {
                        run(pipeline, status, path, latch);
                    }
                    finally
                    {
                        admin.close();
                        pipeline.stop(); // before the memory goes (idempotent)
                    }
                }
            }
        }
        return 0;
    }

    /** @return what is wrong with the options, one line naming the option and its range, or null. */
    String check()
    {
        if (seconds < 1)
        {
            return "--seconds=" + seconds + " must be >= 1";
        }
        if (size < MIN_SIZE || size > MAX_SIZE)
        {
            return "--size=" + size + " must be in " + MIN_SIZE + ".." + MAX_SIZE + " bytes";
        }
        return null;
    }

    private void run(final VifPipeline pipeline, final Region status, final Path path, final ShutdownLatch latch)
        throws InterruptedException
    {
        pipeline.start();
        final long startNs = System.nanoTime();
        System.out.println("vif-run: region " + path + ", vifs vif1.0 -> vif2.0, " + size + " B frames; try: pvnet stat " +
            region + " / pvnet ifconfig " + region + " vif1.0 mtu 1000");
        System.out.flush();
        // until --seconds are over or a signal (Ctrl-C): the summary either way, as iperf3 prints one
        final long end = startNs + seconds * 1_000_000_000L;
        // a signal ends the wait between two heartbeats at once
        while (System.nanoTime() - end < 0)
        {
            status.updateHeartbeat(System.currentTimeMillis());
            if (latch.awaitStop(Math.min(200_000_000L, Math.max(0, end - System.nanoTime()))))
            {
                break;
            }
        }
        pipeline.stop();
        summary(pipeline, startNs);
    }

    /** Prints what crossed from vif1.0 to vif2.0: frames, bytes and rates over the run. */
    private static void summary(final VifPipeline pipeline, final long startNs)
    {
        final double seconds = Math.max(1e-9, (System.nanoTime() - startNs) / 1e9);
        final long frames = pipeline.received();
        final long bytes = pipeline.receivedBytes();
        // what guest 1 sent (vif1.0 took from its ring) ends delivered to guest 2, dropped with a reason, or on its way
        final long sent = pipeline.counters(0).get(io.pvnet.engine.vif.VifCounters.TX_PACKETS);
        final StringBuilder drops = new StringBuilder();
        long dropped = 0;
        for (int vif = 0; vif < 2; vif++)
        {
            for (int reason = 0; reason < io.pvnet.engine.vif.DropReason.COUNT; reason++)
            {
                final long count = pipeline.counters(vif).drops(reason);
                if (count > 0)
                {
                    dropped += count;
                    drops.append(drops.isEmpty() ? " (" : ", ").append("vif").append(vif + 1).append(".0 ")
                        .append(io.pvnet.engine.vif.DropReason.name(reason)).append(' ').append(count);
                }
            }
        }
        System.out.printf(java.util.Locale.ROOT,
            "vif-run: %.1f s, vif1.0 -> vif2.0: %,d frames, %,d bytes, %.3f Mpps, %.2f Gbit/s; guest 1 sent %,d, " +
                "dropped %,d%s, in flight %,d%n",
            seconds, frames, bytes, frames / seconds / 1e6, bytes * 8 / seconds / 1e9, sent, dropped,
            drops.isEmpty() ? "" : drops + ")", Math.max(0, sent - frames - dropped));
        System.out.flush();
    }
}
