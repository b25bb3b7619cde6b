package io.pvnet.perf.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineInfoTest
{
    @Test
    void shouldCountSmtSiblingsFromSysfsList(@org.junit.jupiter.api.io.TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("thread_siblings_list");
        Files.writeString(file, "0\n");
        assertEquals(1, MachineInfo.smtSiblings(file));
        Files.writeString(file, "0,64\n");
        assertEquals(2, MachineInfo.smtSiblings(file));
        Files.writeString(file, "0-3\n");
        assertEquals(4, MachineInfo.smtSiblings(file));
        assertEquals(0, MachineInfo.smtSiblings(dir.resolve("missing")));
    }

    @Test
    void shouldWarnWhenTheLoadAverageReachesTheCoreCount(@org.junit.jupiter.api.io.TempDir final Path dir) throws Exception
    {
        final Path loadavg = dir.resolve("loadavg");
        Files.writeString(loadavg, "8.36 6.77 4.21 9/1234 5678\n");
        assertEquals(8.36, MachineInfo.loadAverage(loadavg));
        assertTrue(Double.isNaN(MachineInfo.loadAverage(dir.resolve("missing"))));
        final MachineInfo twoCores = new MachineInfo("cpu", 2, "jdk");
        assertTrue(MachineInfo.busyWarning(twoCores, 8.36).startsWith("load average 8.4 on 2 core(s): other processes"));
        assertEquals(null, MachineInfo.busyWarning(twoCores, 1.5));
        assertEquals(null, MachineInfo.busyWarning(twoCores, Double.NaN));
    }
}
