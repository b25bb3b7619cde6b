package io.pvnet.perf.cli.pci;

import io.pvnet.pci.Lspci;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.device.LspciDump;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pvnet pci ...} run in process, on emulated devices and dumps (never touching real devices). */
class PciCommandTest
{
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(final String... args)
    {
        final CommandLine cli = new CommandLine(new PciCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path emulatedFile() throws Exception
    {
        return Files.writeString(dir.resolve("devices.txt"), """
            device 0000:00:07.0
            ids 8086:10d3
            class 020000
            bar 0 mem32 128K
            bar 2 io 32
            msix 4 bar 0 table 10000 pba 18000
            device 0000:00:08.0
            ids 1af4:1041
            class 020000
            bar 0 mem64 512K
            """);
    }

    @Test
    void shouldListDevicesWithTheirState() throws Exception
    {
        final Path config = Files.writeString(dir.resolve("guest.cfg"), "name = 'g1'\npci = [ '00:08.0' ]\n");
        assertEquals(0, run("list", "--no-sysfs", "--emulated", emulatedFile().toString(), "--hide", "(00:07.*)",
            "--domain-config", config.toString()), err.toString());
        final String[] lines = out.toString().split("\n");
        assertEquals(2, lines.length, out.toString());
        assertTrue(lines[0].matches("0000:00:07.0 020000 8086:10d3 -\\s+hidden emulated"), lines[0]);
        assertTrue(lines[1].matches("0000:00:08.0 020000 1af4:1041 -\\s+exported\\(g1\\) emulated"), lines[1]);
    }

    @Test
    void shouldReportABadHideSpecWithACaretAndExitCodeTwo() throws Exception
    {
        assertEquals(2, run("hide", "(0000:03:*.1)", "--dry-run", "--no-sysfs"));
        assertTrue(err.toString().contains("\n  (0000:03:*.1)\n  ^"), "caret under the group's start: " + err);
        assertTrue(err.toString().contains("(line 1, column 12)"), "and where inside it: " + err);
        assertEquals(2, run("hide", "(0001:03:00.0)", "--netbsd", "--no-sysfs"));
        assertTrue(err.toString().contains("literal domain prefix"), err.toString());
    }

    @Test
    void shouldListWhatAHideSpecSelects() throws Exception
    {
        assertEquals(0, run("hide", "(00:*.*)", "--dry-run", "--no-sysfs", "--emulated", emulatedFile().toString()));
        assertTrue(out.toString().contains("0000:00:*.* (256 addresses)"), out.toString());
        assertTrue(out.toString().contains("selects 2 present devices"), out.toString());
        assertTrue(out.toString().contains("dry run: nothing hidden"), out.toString());
    }

    @Test
    void shouldShowAndDumpTheVirtualView() throws Exception
    {
        final String emulated = emulatedFile().toString();
        assertEquals(0, run("show", "00:07.0", "--virtual", "--no-sysfs", "--emulated", emulated), err.toString());
        assertTrue(out.toString().startsWith("00:00.0 0200: 8086:10d3 (rev 01)\n"), out.toString());
        assertTrue(out.toString().contains("\tRegion 0: Memory at fe000000 (32-bit, non-prefetchable) [size=128K]"),
            out.toString());
        assertTrue(out.toString().contains("\t\tVector table: BAR=0 offset=00010000"), out.toString());
        out.getBuffer().setLength(0);

        assertEquals(0, run("dump", "00:07.0", "--virtual", "--no-sysfs", "--emulated", emulated), err.toString());
        final var entry = LspciDump.parse(out.toString()).getFirst();
        assertEquals(PciAddress.parse("00:00.0"), entry.address());
        assertEquals(0x8086, entry.config().vendorId());
        assertEquals(256, entry.config().readableLength());
    }

    @Test
    void shouldDumpInAFormatLspciReads() throws Exception
    {
        Assumptions.assumeTrue(Lspci.binary() != null, "lspci (pciutils) is not installed");
        final Path devices = Files.writeString(dir.resolve("d.txt"), """
            device 00:05.0
            ids 1af4:10f1
            class 018000
            bar 0 mem32 16K
            pm
            msi 2 64bit maskable
            """);
        assertEquals(0, run("dump", "00:05.0", "--no-sysfs", "--emulated", devices.toString()), err.toString());
        final Path dump = Files.writeString(dir.resolve("dump.txt"), out.toString());
        final String lspci = Lspci.run("-F", dump.toString(), "-vvn");
        out.getBuffer().setLength(0);
        assertEquals(0, run("show", "00:05.0", "--from-dump", dump.toString()), err.toString());
        Lspci.assertMatches(out.toString(), lspci, true);
        assertTrue(lspci.contains("MSI: Enable- Count=1/2 Maskable+ 64bit+"), lspci);
    }

    @Test
    void shouldExportIntoARegionSectionAndSayWhyABarHasNoWindow() throws Exception
    {
        final Path sysfs = Files.createDirectories(dir.resolve("sysfs"));
        final Path real = io.pvnet.pci.TestDevices.writeSysfs(sysfs,
            io.pvnet.pci.TestDevices.legacy(PciAddress.parse("0000:00:09.0")));
        Files.write(real.resolve("resource0"), new byte[16 * 1024]);
        final Path config = Files.writeString(dir.resolve("g.cfg"), "name='g'\npci = [ '00:07.0', '00:09.0' ]\n");

        assertEquals(0, run("export", config.toString(), "--domid", "4", "--sysfs", sysfs.toString(), "--emulated",
            emulatedFile().toString(), "--window-bytes", "1048576"), err.toString());
        final String text = out.toString();
        assertTrue(text.startsWith("domain 4 (g): 2 devices in section pci-4\n"), text);
        assertTrue(text.contains("  0000:00:07.0 -> 0000:00:00.0 (emulated)\n    BAR0 window 131072 bytes (region memory)\n" +
            "    BAR2 window 32 bytes (region memory)\n"), text);
        assertTrue(text.contains("  0000:00:09.0 -> 0000:00:01.0 (real)\n"), text);
        assertTrue(text.contains("BAR0: real device 0000:00:09.0 was not named with --map-bar"), text);

        out.getBuffer().setLength(0);
        assertEquals(0, run("export", config.toString(), "--sysfs", sysfs.toString(), "--emulated",
            emulatedFile().toString(), "--map-bar", "00:09.0"), err.toString());
        assertTrue(out.toString().contains("    BAR0 window 16384 bytes (real, read-only)\n"), out.toString());
        assertTrue(out.toString().contains("BAR1 of 0000:00:09.0 is an I/O BAR"), out.toString());
    }

    @Test
    void shouldExportWithThePassthroughTopologyKeepingRealAddresses() throws Exception
    {
        final Path devices = Files.writeString(dir.resolve("two-buses.txt"), """
            device 0000:00:07.0
            ids 8086:10d3
            class 020000
            bar 0 mem32 128K
            device 0001:05:03.0
            ids 1af4:1041
            class 020000
            bar 0 mem64 512K
            """);
        final Path config = Files.writeString(dir.resolve("p.cfg"), "pci = [ '00:07.0', '0001:05:03.0' ]\n");
        assertEquals(0, run("export", config.toString(), "--no-sysfs", "--emulated", devices.toString(),
            "--topology", "passthrough"), err.toString());
        final String text = out.toString();
        assertTrue(text.contains("  topology passthrough, root_num 2: root-0=0000:00 root-1=0001:05\n"), text);
        assertTrue(text.contains("  0000:00:07.0 -> 0000:00:07.0 (emulated)\n"), text);
        assertTrue(text.contains("  0001:05:03.0 -> 0001:05:03.0 (emulated)\n"), text);

        out.getBuffer().setLength(0);
        assertEquals(0, run("export", config.toString(), "--no-sysfs", "--emulated", devices.toString()),
            err.toString());
        assertTrue(out.toString().contains("  topology vpci, root_num 1: root-0=0000:00\n"), out.toString());
        assertTrue(out.toString().contains("  0001:05:03.0 -> 0000:00:01.0 (emulated)\n"), out.toString());

        assertEquals(2, run("export", config.toString(), "--no-sysfs", "--emulated", devices.toString(),
            "--topology", "flat"));
        assertTrue(err.toString().contains("vpci or passthrough"), err.toString());
    }

    @Test
    void shouldQuoteTheFailingHideGroupWhole()
    {
        assertEquals(2, run("hide", "(03:00.0)(0000:82.0.0)", "--dry-run", "--no-sysfs"));
        assertTrue(err.toString().contains("Error parsing pci_devs_to_hide at \"(0000:82.0.0)\": slot 0x82 out of range"),
            err.toString());
    }

    @Test
    void shouldNameTheSourcesWhenADeviceIsMissing() throws Exception
    {
        assertEquals(2, run("show", "00:1f.0", "--no-sysfs", "--emulated", emulatedFile().toString()));
        assertTrue(err.toString().contains("no device 0000:00:1f.0 in emulated"), err.toString());
        assertEquals(2, run("show", "zz", "--no-sysfs"));
        assertTrue(err.toString().contains("address=zz"), err.toString());
    }

    @Test
    void shouldSayWhyAFileOrDirectoryCannotBeReadInOneLine() throws Exception
    {
        final Path binary = Files.write(dir.resolve("binary.dump"), new byte[] {(byte)0xff, (byte)0xfe, 0, (byte)0xc3});
        final String[][] cases = {
            {"--from-dump", dir.resolve("missing.dump").toString(), "cannot read file=" + dir.resolve("missing.dump") +
                ": no such file"},
            {"--from-dump", binary.toString(), "cannot read file=" + binary + ": not a text file"},
            {"--sysfs", dir.resolve("no-sysfs").toString(), "not a sysfs PCI device directory: sysfs=" +
                dir.resolve("no-sysfs")},
        };
        for (final String[] c : cases)
        {
            err.getBuffer().setLength(0);
            assertEquals(2, run("show", "00:01.0", c[0], c[1]), err.toString());
            assertEquals("pvnet pci show: " + c[2] + "\n", err.toString());
        }
    }
}
