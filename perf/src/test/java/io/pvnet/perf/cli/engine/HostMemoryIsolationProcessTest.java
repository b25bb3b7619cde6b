package io.pvnet.perf.cli.engine;

import io.pvnet.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The switch's memory, and a guest's, out of reach of another process of the same uid (issue 13: "no guest can map,
 * read or write another guest's memory or any host structure"): switch, guest and the attacker all run as uid 65534
 * (no capabilities), the attacker ({@link HostMemoryProbeMain}) tries the region path, {@code /proc/PID/fd/N},
 * {@code /proc/PID/map_files}, {@code /proc/PID/maps}, {@code /proc/PID/mem}, {@code process_vm_readv} and JVM
 * attach, each also against a dumpable process of its own (where each route must work, or the probe proves nothing),
 * and tries to write the counters the switch hands out.
 */
class HostMemoryIsolationProcessTest
{
    @TempDir
    Path dir;

    @Test
    void shouldKeepSwitchAndGuestMemoryFromAnotherProcessOfTheSameUid() throws Exception
    {
        assumeTrue(io.pvnet.ring.region.HostFile.effectiveUid() == 0 && Files.isExecutable(Path.of("/usr/bin/setpriv")),
            "needs root and setpriv to run switch, guest and attacker as uid 65534 without capabilities");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        final Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setAttribute(shared, "unix:uid", 65534);
        Files.setAttribute(shared, "unix:gid", 65534);
        final String classPath = GuestIsolationProcessTest.readableClassPath(Files.createDirectory(dir.resolve("cp"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"))));
        final List<String> nobody = List.of("/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534",
            "--clear-groups");
        final Path region = shared.resolve("r");
        // --vif-owner makes the socket 0666: another uid reaches it, and SO_PEERCRED must refuse it administration
        try (CommandProcess sw = new CommandProcess(nobody, classPath, "switch", "--region", region.toString(),
            "--vifs", "2", "--vif-owner", "2=65533");
            CommandProcess guest = new CommandProcess(nobody, classPath, "guest", "--region", region.toString(),
                "--vif", "1", "--ip", "10.81.0.1/24"))
        {
            assertTrue(sw.awaitOutput("ready", 30_000), sw.output());
            assertTrue(guest.awaitOutput("ready", 30_000), guest.output());
            assertFalse(sw.output().contains("warning"), sw.output());
            final String probe = runProbe(nobody, classPath, sw.pid(), guest.pid(), region);
            System.out.println("same-uid attacker against switch and guest (uid 65534):\n" + probe);
            assertTrue(probe.contains("UID 65534") && probe.contains("END"), probe);
            for (final String route : List.of("proc-fd-list", "proc-fd-open", "proc-map_files", "proc-maps", "proc-mem",
                "process_vm_readv", "jvm-attach"))
            {
                assertTrue(probe.contains("PROBE switch " + route + " DENIED"), route + ":\n" + probe);
                assertTrue(probe.contains("PROBE guest " + route + " DENIED"), route + ":\n" + probe);
            }
            for (final String route : List.of("proc-fd-list", "proc-fd-open", "proc-map_files", "proc-maps", "proc-mem",
                "process_vm_readv", "jvm-attach"))
            {
                assertTrue(probe.contains("CONTROL " + route + " OPEN"), "the route works where nothing closes it: " +
                    route + ":\n" + probe);
            }
            assertTrue(probe.contains("REGION bytes 4096 sections 0") && probe.contains("REGION store DENIED"),
                "the file at the region path holds no section: " + probe);
            assertTrue(probe.contains("COUNTERS read"), "the switch's uid reads its counters: " + probe);
            for (final String route : List.of("write-mapping", "write-syscall", "truncate"))
            {
                assertTrue(probe.contains("COUNTERS " + route + " DENIED"), route + ":\n" + probe);
            }
            try (CommandProcess ifconfig = new CommandProcess(nobody, classPath, "ifconfig", region.toString(), "vif1.0",
                "mtu", "9000"))
            {
                assertEquals(0, ifconfig.awaitExit(30_000), ifconfig.output());
                assertTrue(ifconfig.output().contains("mtu 9000"), "the switch's uid administers it: " + ifconfig.output());
            }
            final List<String> otherUid = List.of("/usr/bin/setpriv", "--reuid", "65533", "--regid", "65533",
                "--clear-groups");
            try (CommandProcess stat = new CommandProcess(otherUid, classPath, "stat", region.toString(), "--count", "1"))
            {
                assertEquals(1, stat.awaitExit(30_000), stat.output());
                assertTrue(stat.output().contains("uid 65533 may not administer this switch"), stat.output());
            }
            try (var files = Files.list(shared))
            {
                assertEquals(List.of("r", "r.sock"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "nothing else of the switch in the file system");
            }
        }
    }

    private static String runProbe(final List<String> prefix, final String classPath, final long switchPid,
        final long guestPid, final Path region) throws Exception
    {
        final List<String> java = ChildJvm.of(HostMemoryProbeMain.class).flags("-Dsun.tools.attach.attachTimeout=2000")
            .arguments(Long.toString(switchPid), Long.toString(guestPid), region.toString(),
                RegionArgument.controlSocket(region).toString()).command();
        java.set(java.indexOf("-cp") + 1, classPath);
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(java);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new String(output, StandardCharsets.UTF_8);
    }
}
