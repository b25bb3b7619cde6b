package io.pvnet.perf.cli.engine;

import io.pvnet.engine.VifRegion;
import io.pvnet.engine.control.AdminClient;
import io.pvnet.ring.region.Region;
import io.pvnet.ring.share.LinuxCalls;
import io.pvnet.ring.share.SealedMemory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

/**
 * An attacker of the switch's own uid, as a process: {@code HostMemoryProbeMain SWITCH_PID GUEST_PID REGION SOCKET}.
 * Tries every route to the memory of the switch and of a guest it can think of and prints one line per route:
 * {@code PROBE target route OPEN|DENIED detail}; {@code CONTROL route OPEN|DENIED detail} for the same routes against
 * a dumpable JVM of its own (a child started without any protection), which shows that the routes work where nothing closes them;
 * {@code REGION ...} and {@code COUNTERS ...} for the switch's file and its counters.
 */
public final class HostMemoryProbeMain
{
    private HostMemoryProbeMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args[0].equals("idle"))
        {
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(30_000);
            return;
        }
        final long switchPid = Long.parseLong(args[0]);
        final long guestPid = Long.parseLong(args[1]);
        final Path region = Path.of(args[2]);
        final Path socket = Path.of(args[3]);
        System.out.println("UID " + io.pvnet.ring.region.HostFile.effectiveUid());
        // a dumpable JVM of this uid with attach enabled: where every route must work
        final Process control = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
            System.getProperty("java.class.path"), HostMemoryProbeMain.class.getName(), "idle").start();
        new java.io.BufferedReader(new java.io.InputStreamReader(control.getInputStream())).readLine();
        try
        {
            routes("PROBE switch", switchPid);
            routes("PROBE guest", guestPid);
            routes("CONTROL", control.pid());
        }
        finally
        {
            control.destroyForcibly();
        }
        regionFile(region);
        counters(socket);
        System.out.println("END");
        System.exit(0);
    }

    private static void routes(final String prefix, final long pid)
    {
        probe(prefix, "proc-fd-list", () -> count(Path.of("/proc/" + pid + "/fd")) + " descriptors listed");
        probe(prefix, "proc-fd-open", () ->
        {
            IOException last = null;
            for (int fd = 0; fd < 512; fd++)
            {
                try (FileChannel channel = FileChannel.open(Path.of("/proc/" + pid + "/fd/" + fd), StandardOpenOption.READ))
                {
                    return "opened fd " + fd + " (" + channel.size() + " bytes)";
                }
                catch (final IOException ex)
                {
                    last = ex;
                }
            }
            throw last;
        });
        probe(prefix, "proc-map_files", () -> count(Path.of("/proc/" + pid + "/map_files")) + " mappings listed");
        probe(prefix, "proc-maps", () -> Files.readAllLines(Path.of("/proc/" + pid + "/maps")).size() + " lines");
        probe(prefix, "proc-mem", () ->
        {
            try (FileChannel channel = FileChannel.open(Path.of("/proc/" + pid + "/mem"), StandardOpenOption.READ))
            {
                return "opened";
            }
        });
        probe(prefix, "process_vm_readv", () ->
        {
            try (Arena arena = Arena.ofConfined())
            {
                final MemorySegment buffer = arena.allocate(8);
                final MemorySegment local = arena.allocate(16);
                final MemorySegment remote = arena.allocate(16);
                local.set(ValueLayout.JAVA_LONG, 0, buffer.address());
                local.set(ValueLayout.JAVA_LONG, 8, 8);
                remote.set(ValueLayout.JAVA_LONG, 0, 0x10000); // unmapped: EFAULT once permission is granted
                remote.set(ValueLayout.JAVA_LONG, 8, 8);
                final boolean aarch64 = "aarch64".equals(System.getProperty("os.arch"));
                final long result = LinuxCalls.raw(aarch64 ? 270 : 310, pid, local.address(), 1, remote.address(), 1, 0);
                if (result == -LinuxCalls.EPERM)
                {
                    throw new IOException("EPERM");
                }
                return "permitted (result " + result + ")";
            }
        });
        probe(prefix, "jvm-attach", () ->
        {
            final com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
            try
            {
                return "attached: " + vm.getSystemProperties().getProperty("java.version");
            }
            finally
            {
                vm.detach();
            }
        });
    }

    private static void regionFile(final Path path)
    {
        try (Region region = Region.open(path))
        {
            System.out.println("REGION bytes " + Files.size(path) + " sections " + region.sections().size());
            try
            {
                VifRegion.attach(region);
                System.out.println("REGION store OPEN");
            }
            catch (final RuntimeException ex)
            {
                System.out.println("REGION store DENIED " + ex.getMessage());
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            System.out.println("REGION unreadable " + ex);
        }
    }

    private static void counters(final Path socket)
    {
        try (AdminClient admin = AdminClient.connect(socket); SealedMemory counters = admin.counters())
        {
            System.out.println("COUNTERS read " + VifRegion.countersReader(counters.buffer()).maxCounterId() + " ids");
            probe("COUNTERS", "write-mapping", () ->
            {
                try (FileChannel channel = FileChannel.open(Path.of("/proc/self/fd/" + counters.fd()),
                    StandardOpenOption.READ, StandardOpenOption.WRITE))
                {
                    channel.map(FileChannel.MapMode.READ_WRITE, 0, counters.lengthBytes());
                    return "mapped writable";
                }
            });
            probe("COUNTERS", "write-syscall", () ->
            {
                try (FileChannel channel = FileChannel.open(Path.of("/proc/self/fd/" + counters.fd()),
                    StandardOpenOption.WRITE))
                {
                    return "wrote " + channel.write(ByteBuffer.allocate(8), 0) + " bytes";
                }
            });
            probe("COUNTERS", "truncate", () ->
            {
                final int result = LinuxCalls.truncate(counters.fd(), 0);
                if (result < 0)
                {
                    throw new IOException("errno " + -result);
                }
                return "truncated";
            });
        }
        catch (final RuntimeException ex)
        {
            System.out.println("COUNTERS unavailable " + ex.getMessage());
        }
    }

    private static long count(final Path directory) throws IOException
    {
        try (var list = Files.list(directory))
        {
            return list.count();
        }
    }

    private static void probe(final String prefix, final String route, final Callable<String> attempt)
    {
        String line;
        try
        {
            line = "OPEN " + attempt.call();
        }
        catch (final Exception | Error ex)
        {
            line = "DENIED " + ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
        System.out.println(prefix + " " + route + " " + line.replace('\n', ' '));
    }
}
