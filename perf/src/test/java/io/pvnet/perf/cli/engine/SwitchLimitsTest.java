package io.pvnet.perf.cli.engine;

import io.pvnet.engine.VifBackend;
import io.pvnet.engine.vif.VifConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A switch's size against what the process may take: refused at start, at the exact boundary, naming the flag. */
class SwitchLimitsTest
{
    private static final long PLENTY = Long.MAX_VALUE / 4;

    @Test
    void shouldCountEveryOfferedQueuesBuffers()
    {
        final long oneQueue = VifBackend.directMemoryBytes(VifConfig.of(1, 0));
        // tx frame (64 KiB + a page), rx segment scratch (256 KiB), rx frame queue (1 MiB ring + trailer)
        assertTrue(oneQueue > 1_300_000 && oneQueue < 1_500_000, oneQueue + " B per queue");
        assertEquals(16 * oneQueue, VifBackend.directMemoryBytes(VifConfig.of(1, 0).withQueues(16)));
        assertEquals(4096L * 16 * oneQueue + SwitchLimits.DIRECT_BASE_BYTES, SwitchLimits.directBytes(4096, 16));
    }

    @Test
    void shouldRefuseDirectMemoryOneByteShortNamingTheFlags()
    {
        final long needed = SwitchLimits.directBytes(1024, 2);
        assertDoesNotThrow(() -> SwitchLimits.check(1024, 2, new SwitchLimits.Available(needed, PLENTY, -1)));
        final String message = assertThrows(IllegalArgumentException.class,
            () -> SwitchLimits.check(1024, 2, new SwitchLimits.Available(needed - 1, PLENTY, -1))).getMessage();
        assertTrue(message.startsWith("--vifs=1024 --queues=2 needs up to 2.7 GiB of direct memory (1.3 MiB per queue)"),
            message);
        assertTrue(message.contains("-XX:MaxDirectMemorySize") && message.contains("lower --vifs or --queues") &&
            message.contains("PVNET_JAVA_OPTS=-XX:MaxDirectMemorySize=3g"), message);
        assertEquals(1, message.lines().count());
    }

    @Test
    void shouldRefuseOpenFilesOneShortNamingUlimit()
    {
        final long fds = 4096L * SwitchLimits.FDS_PER_GUEST + SwitchLimits.FDS_BASE;
        assertDoesNotThrow(() -> SwitchLimits.check(4096, 1, new SwitchLimits.Available(PLENTY, PLENTY, fds)));
        final String message = assertThrows(IllegalArgumentException.class,
            () -> SwitchLimits.check(4096, 1, new SwitchLimits.Available(PLENTY, PLENTY, fds - 1))).getMessage();
        assertEquals("--vifs=4096 needs up to " + fds + " open files (3 per attached guest) and this process may open " +
            (fds - 1) + " (ulimit -n): lower --vifs, or raise it (ulimit -n " + fds + ")", message);
    }

    @Test
    void shouldRefuseMoreMemoryThanTheMachineHasBeforeTheJvmLimit()
    {
        final String message = assertThrows(IllegalArgumentException.class,
            () -> SwitchLimits.check(4096, 16, new SwitchLimits.Available(PLENTY, 24L << 30, -1))).getMessage();
        assertTrue(message.startsWith("--vifs=4096 --queues=16 needs up to ") && message.contains(" of memory (") &&
            message.endsWith("this machine has 24.0 GiB: lower --vifs or --queues"), message);
    }

    @Test
    void shouldRefuseTheLargestSwitchAtStartWithOneLineAndExit1CreatingNothing()
    {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final SwitchCommand command = new SwitchCommand();
        command.err = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        final java.nio.file.Path region = java.nio.file.Path.of("/tmp/pvnet-limits-test-" + ProcessHandle.current().pid());
        assertEquals(1, new picocli.CommandLine(command).execute("--region", region.toString(), "--vifs", "4096",
            "--queues", "16"));
        final String message = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(message.startsWith("pvnet switch: --vifs=4096 --queues=16 needs up to "), message);
        assertEquals(1, message.lines().count(), message);
        assertTrue(!java.nio.file.Files.exists(region), "nothing created");
    }

    @Test
    void shouldLetThisTestJvmStartAThousandVifsButNotTheLargestSwitch()
    {
        final SwitchLimits.Available here = SwitchLimits.Available.ofThisProcess();
        assertTrue(here.maxDirectBytes() > 0 && here.ramBytes() > 0);
        // issue 14: switch --vifs 1024 starts (the test JVM has -Xmx2g, so 2 GiB of direct memory)
        assertDoesNotThrow(() -> SwitchLimits.check(1024, 1,
            new SwitchLimits.Available(here.maxDirectBytes(), here.ramBytes(), -1)));
        assertThrows(IllegalArgumentException.class, () -> SwitchLimits.check(4096, 16, here));
    }
}
