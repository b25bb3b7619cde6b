package io.pvnet.perf.tap;

import io.pvnet.engine.frame.FrameMetadata;
import io.pvnet.checksum.packet.FrameBuilder;
import io.pvnet.checksum.packet.TcpHeader;
import io.pvnet.engine.frame.FrameFlags;
import io.pvnet.engine.frame.FrameSink;
import io.pvnet.engine.netif.NetifConstants;
import io.pvnet.engine.port.tap.TapDevice;
import io.pvnet.engine.port.tap.TapPort;
import io.pvnet.perf.harness.ProgressPrinter;
import io.pvnet.perf.harness.Scenario;
import io.pvnet.perf.harness.ScenarioContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;


/**
 * {@code tap}: TCP frames written through a {@link TapPort} into the kernel of a namespace the scenario creates (and
 * removes): {@code tap.1500}, complete 1514-byte frames through a TAP without offload (the kernel verifies every
 * checksum), and {@code tap.tso}, 64 KiB TSO frames through a TAP with the virtio-net header (checksum and
 * segmentation left to the kernel), both in Gbit/s of frame bytes the kernel accepted. The frames go to a closed port
 * of the namespace's address, so the kernel does its whole receive path up to the socket lookup. Needs root,
 * {@code /dev/net/tun} and the {@code ip} tool; without them the scenario prints why and reports nothing. Goal:
 * {@code tap.tso >= 3 x tap.1500}.
 */
public final class TapScenario implements Scenario
{
    private static final int MSS = 1448;
    private static final int TSO_PAYLOAD = 44 * MSS;

    @Override
    public String name()
    {
        return "tap";
    }

    @Override
    public String description()
    {
        return "frames into the kernel through a TAP port in a namespace: 1500-byte frames without offload, TSO " +
            "frames with the virtio-net header (root only)";
    }

    @Override
    public int measurementCount()
    {
        return 2;
    }

    @Override
    public int busyThreads()
    {
        return 1;
    }

    /** @return why the scenario cannot run here, or null. */
    public static String unavailableReason()
    {
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "not root (user.name=" + System.getProperty("user.name") + ")";
        }
        if (!Files.exists(Path.of("/dev/net/tun")))
        {
            return "/dev/net/tun is missing";
        }
        return run("ip", "netns", "list") == null ? "ip netns does not work" : null;
    }

    @Override
    public void run(final ScenarioContext context) throws Exception
    {
        final String reason = unavailableReason();
        if (reason != null)
        {
            System.out.println("tap: skipped: " + reason);
            return;
        }
        measure(context, "tap.1500", false);
        measure(context, "tap.tso", true);
        context.compare("tap.tso", "tap.1500");
    }

    private static void measure(final ScenarioContext context, final String name, final boolean tso) throws Exception
    {
        final String namespace = "pvnet-bench-" + ProcessHandle.current().pid() + (tso ? "-tso" : "-plain");
        final String device = "pvb" + (ProcessHandle.current().pid() % 100_000) + (tso ? "t" : "p");
        check(run("ip", "netns", "add", namespace), "ip netns add " + namespace);
        try (TapDevice tap = new TapDevice(device, tso))
        {
            check(run("ip", "link", "set", device, "netns", namespace), "move " + device);
            check(run("ip", "-n", namespace, "addr", "add", "192.0.2.1/24", "dev", device), "address");
            check(run("ip", "-n", namespace, "link", "set", device, "up"), "link up");
            final String link = check(run("ip", "-n", namespace, "-o", "link", "show", "dev", device), "link show");
            final int at = link.indexOf("link/ether ");
            final long kernelMac = io.pvnet.engine.vif.VifConfig.parseMac(link.substring(at + 11, at + 28));
            final TapPort port = new TapPort(tap, 1500);
            final FrameSink discard = (buffer, offset, length, metadata) -> 0;
            port.ingress(discard);
            final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(14 + 40 + TSO_PAYLOAD));
            final int length = tcpFrame(frame, kernelMac, tso ? TSO_PAYLOAD : MSS, tso);
            final AtomicLong bytes = new AtomicLong();
            final AtomicLong failed = new AtomicLong();
            final Thread sender = Thread.ofPlatform().name("tap-bench").start(() ->
            {
                final int flags = tso ? FrameFlags.CSUM_PARTIAL : 0;
                final int gso = tso ? MSS : 0;
                final int gsoType = tso ? NetifConstants.XEN_NETIF_GSO_TYPE_TCPV4 : 0;
                final FrameMetadata metadata = new FrameMetadata().set(flags, gso, gsoType);
                int i = 0;
                while (!Thread.currentThread().isInterrupted())
                {
                    if (port.onFrame(frame, 0, length, metadata) == 0)
                    {
                        bytes.lazySet(bytes.get() + length);
                    }
                    else
                    {
                        failed.lazySet(failed.get() + 1);
                    }
                    if ((++i & 63) == 0)
                    {
                        port.doWork(); // drain what the kernel sends back (ARP for the RST's destination)
                    }
                }
            });
            try
            {
                final double perSecond = rate(context, name, bytes);
                context.report(name, perSecond * 8e-9, "Gbit/s");
            }
            finally
            {
                sender.interrupt();
                sender.join();
            }
            if (failed.get() > 0)
            {
                System.out.println(name + ": " + failed.get() + " writes refused by the kernel (counted as drops)");
            }
        }
        finally
        {
            run("ip", "netns", "del", namespace);
        }
    }

    private static double rate(final ScenarioContext context, final String name, final AtomicLong bytes)
        throws InterruptedException
    {
        try (ProgressPrinter.Line ignored = context.progress(name + " (warm-up)", bytes::get, 8e-9, "Gbit/s"))
        {
            Thread.sleep(context.warmup().toMillis());
        }
        final long start = bytes.get();
        final long startNs = System.nanoTime();
        try (ProgressPrinter.Line ignored = context.progress(name, bytes::get, 8e-9, "Gbit/s"))
        {
            Thread.sleep(context.duration().toMillis());
        }
        return (bytes.get() - start) * 1e9 / (System.nanoTime() - startNs);
    }

    /** A TCP segment 192.0.2.2:40000 -> 192.0.2.1:9 (closed) with {@code payload} bytes. @return its length. */
    static int tcpFrame(final UnsafeBuffer frame, final long dstMac, final int payload, final boolean partial)
    {
        final FrameBuilder builder = new FrameBuilder().wrap(frame, 0)
            .ethernet(dstMac, 0x0200_0000_0B02L)
            .ipv4(0xC000_0202, 0xC000_0201).identification(1)
            .tcp(40000, 9, 1000, 1, TcpHeader.PSH | TcpHeader.ACK, 65535);
        final int data = builder.payloadOffset();
        for (int i = 0; i < payload; i++)
        {
            frame.putByte(data + i, (byte)i);
        }
        builder.payloadLength(payload);
        return partial ? builder.buildPartial() : builder.build();
    }

    private static String check(final String output, final String what)
    {
        if (output == null)
        {
            throw new IllegalStateException("tap scenario: " + what + " failed");
        }
        return output;
    }

    /** @return the command's output, or null if it failed. */
    private static String run(final String... command)
    {
        try
        {
            final Path out = Files.createTempFile("pvnet-tap-bench", ".out");
            try
            {
                final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .start();
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    return null;
                }
                return process.exitValue() == 0 ? Files.readString(out, StandardCharsets.UTF_8) : null;
            }
            finally
            {
                Files.deleteIfExists(out);
            }
        }
        catch (final IOException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
