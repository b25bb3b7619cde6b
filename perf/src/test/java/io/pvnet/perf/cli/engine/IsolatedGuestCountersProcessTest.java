package io.pvnet.perf.cli.engine;

import io.pvnet.engine.vif.DropReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guests in their own processes report their frontends' counters over their control connections: {@code pvnet stat}
 * on the host shows every {@code front-*} counter live (not 0), and sent = delivered + dropped reconciles between a
 * guest's own counts and the backend's.
 */
class IsolatedGuestCountersProcessTest
{
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+([\\d,]+)\\s+(?:[\\d,]+/s\\s+)?(vif\\S+ \\S+)");

    @TempDir
    Path dir;

    /** @return label -> value of every vif counter {@code pvnet stat --count 1} prints. */
    private static Map<String, Long> stat(final Path region)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = StatCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), region.toString(), "--count", "1");
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        // the process behind REGION.sock named as its status file records it
        assertTrue(out.toString(StandardCharsets.UTF_8).matches("(?s)==== \\S+ switch pid \\d+ control .*"),
            out.toString(StandardCharsets.UTF_8));
        final Map<String, Long> values = new HashMap<>();
        for (final String line : out.toString(StandardCharsets.UTF_8).split("\n"))
        {
            final Matcher matcher = ROW.matcher(line);
            if (matcher.find())
            {
                values.put(matcher.group(2), Long.parseLong(matcher.group(1).replace(",", "")));
            }
        }
        return values;
    }

    /**
     * @return the drops of {@code vif} counted for packets from its guest ({@link DropReason#isFromGuest}), none of
     *     those counted toward it.
     */
    private static long txDrops(final Map<String, Long> values, final String vif)
    {
        long drops = 0;
        for (int reason = 1; reason < DropReason.COUNT; reason++)
        {
            if (DropReason.isFromGuest(reason))
            {
                drops += values.getOrDefault(vif + " drop-" + DropReason.name(reason), 0L);
            }
        }
        return drops;
    }

    @Test
    void shouldShowIsolatedGuestsFrontendCountersInStatAndReconcileThem() throws Exception
    {
        final Path region = dir.resolve("r");
        try (CommandProcess sw = new CommandProcess("switch", "--region", region.toString(), "--vifs", "2");
            CommandProcess guest = new CommandProcess("guest", "--region", region.toString(), "--vif", "1",
                "--ip", "10.79.0.1/24"))
        {
            assertTrue(sw.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), sw.output());
            assertTrue(guest.awaitOutput("ready", CommandProcess.READY_TIMEOUT_MS), guest.output());
            try (CommandProcess gen = new CommandProcess("gen", "--region", region.toString(), "--vif", "2",
                "--ip", "10.79.0.2/24", "--dst", "10.79.0.1", "--proto", "udp", "--echo", "--count", "2000", "--rate", "4000"))
            {
                assertEquals(0, gen.awaitExit(30_000), gen.output());
            }
            // the guest is still attached and idle: its last counts arrive within its report period, not at exit
            Map<String, Long> values = stat(region);
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() - deadline < 0 &&
                values.getOrDefault("vif1.0 front-rx-packets", 0L) + values.getOrDefault("vif1.0 front-rx-errors", 0L) !=
                    values.getOrDefault("vif1.0 tx-packets", -1L))
            {
                Thread.sleep(50);
                values = stat(region);
            }
            System.out.println("stat after gen: " + new java.util.TreeMap<>(values).entrySet().stream()
                .filter(e -> e.getValue() != 0 && e.getKey().contains("packets")).toList());
            // the guest on vif 1 received what its backend delivered, and sent its echoes
            final long delivered = values.get("vif1.0 tx-packets");
            assertTrue(delivered >= 2_000, values.toString());
            assertEquals(delivered, values.get("vif1.0 front-rx-packets") + values.get("vif1.0 front-rx-errors"),
                "backend delivered = guest received + guest's receive errors: " + values);
            // (a reply that finds the guest's tx ring full is not sent: front-tx-busy, the guest's reply-failures)
            final long echoes = values.get("vif1.0 front-tx-packets");
            assertTrue(echoes > 1_000, "the guest's sends are live in the host's file: " + values);
            assertEquals(echoes, values.get("vif1.0 rx-packets") + txDrops(values, "vif1.0"),
                "guest sent = backend took + dropped: " + values);
            // gen on vif 2 detached after its run: its totals were reported before it left
            final long genSent = values.get("vif2.0 front-tx-packets");
            assertTrue(genSent >= 2_000, values.toString());
            assertEquals(genSent, values.get("vif2.0 rx-packets") + txDrops(values, "vif2.0"),
                "gen sent = backend took + dropped: " + values);
            assertTrue(values.get("vif2.0 front-rx-packets") > 0 && values.get("vif2.0 front-notify-sent") +
                values.get("vif2.0 front-notify-suppressed") > 0, values.toString());
        }
    }
}
