package io.pvnet.perf.cli.engine;

import io.pvnet.testsupport.Netns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pvnet switch --routed} with its default addresses as a separate process: the kernel in a namespace (TAP
 * 10.1.0.2/24, fd00:0:1::2/64, routes to the vifs' subnets via the router's TAP port 10.1.0.1 / fd00:0:1::1) pings a
 * {@code pvnet guest} on vif 1 (10.0.1.2/24, fd00:0:0:1::2/64) and sends it UDP; a {@code pvnet gen} on vif 2
 * (10.0.2.3/24, no route: it ARPs for the destination and the router answers as a proxy) exchanges ICMP echoes with
 * the guest, vif to vif through the router. Clean SIGTERM shutdown.
 */
class RoutedSwitchCommandKernelTest
{
    private static final Pattern ECHOES = Pattern.compile("sent (\\d+) frames.*answered (\\d+) \\(");

    @BeforeAll
    static void requireKernel()
    {
        Netns.assumeAvailable();
    }

    @Test
    void shouldRouteBetweenTheKernelAndGuestsWithTheDefaultAddresses(@TempDir final Path dir) throws Exception
    {
        final String tap = "pvrt" + ProcessHandle.current().pid();
        final Path region = dir.resolve("routed.region");
        try (Netns netns = Netns.create("routedcli");
            CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2",
                "--tap", tap, "--routed"))
        {
            assertTrue(sw.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), sw.output());
            assertTrue(sw.output().contains(tap + " 10.1.0.1/24"), sw.output());
            netns.adopt(tap);
            netns.exec("ip", "addr", "add", "10.1.0.2/24", "dev", tap).check();
            netns.exec("ip", "addr", "add", "fd00:0:1::2/64", "dev", tap, "nodad").check();
            netns.exec("ip", "link", "set", tap, "up").check();
            netns.exec("ip", "route", "add", "10.0.0.0/16", "via", "10.1.0.1").check();
            netns.exec("ip", "-6", "route", "add", "fd00::/48", "via", "fd00:0:1::1").check();
            try (CommandProcess guest = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
                "--ip", "10.0.1.2/24", "--ip6", "fd00:0:0:1::2/64"))
            {
                assertTrue(guest.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), guest.output());
                assertEquals(0, netns.client("ping", "10.0.1.2", "3").exitCode(), sw.output());
                assertEquals(0, netns.client("ping", "fd00:0:0:1::2", "3").exitCode(), sw.output());
                assertTrue(netns.client("udp", "10.0.1.2", "7", "routed-v4").output().contains("routed-v4"));
                assertTrue(netns.client("udp", "fd00:0:0:1::2", "7", "routed-v6").output().contains("routed-v6"));
                try (CommandProcess gen = new CommandProcess("gen", "--region", region.toString(), "--vif", "2",
                    "--ip", "10.0.2.3/24", "--dst", "10.0.1.2", "--proto", "icmp", "--size", "1000", "--count", "100",
                    "--rate", "2000"))
                {
                    assertEquals(0, gen.awaitExit(30_000), gen.output() + sw.output());
                    final Matcher echoes = ECHOES.matcher(gen.output());
                    assertTrue(echoes.find(), gen.output());
                    assertEquals(100, Integer.parseInt(echoes.group(1)), gen.output());
                    assertEquals(100, Integer.parseInt(echoes.group(2)), gen.output());
                }
                assertEquals(CommandProcess.SIGTERM_EXIT, guest.terminate(10_000), guest.output());
            }
            assertEquals(CommandProcess.SIGTERM_EXIT, sw.terminate(10_000), sw.output());
            assertTrue(sw.output().contains("router offered"), sw.output());
        }
        assertFalse(Files.exists(region), "region file removed at shutdown");
    }
}
