package io.pvnet.pci;

import io.pvnet.pci.backend.Pciback;
import io.pvnet.pci.backend.VirtualConfigSpace;
import io.pvnet.pci.backend.WarningSink;
import io.pvnet.pci.device.LspciDump;
import io.pvnet.pci.format.LspciFormatter;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.pci.spec.PciAssignment;
import io.pvnet.pci.spec.PciSelector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Dumps of emulated devices and of pciback's virtualized view of them go through the real {@code lspci -F}: the bytes
 * lspci reads back equal ours, and its {@code -vvn} decode agrees with pvnet's. Skipped, with the reason, when lspci
 * (pciutils) is not installed; {@code .ci/run} installs it.
 */
class LspciRoundTripTest
{
    @TempDir
    Path dir;

    @BeforeAll
    static void needLspci()
    {
        Assumptions.assumeTrue(Lspci.binary() != null,
            "lspci (pciutils) is not installed: apt-get install pciutils to run the lspci -F round trips");
    }

    private void roundTrip(final PciAddress address, final ConfigSpace config, final boolean exact) throws Exception
    {
        final int bytes = config.readableLength() > 256 ? 4096 : 256;
        final Path file = dir.resolve("dev.dump");
        Files.writeString(file, LspciDump.write(address, "pvnet test", config, bytes));

        final String hex = Lspci.run("-F", file.toString(), bytes == 4096 ? "-xxxx" : "-xxx");
        final List<LspciDump.Entry> back = LspciDump.parse(hex);
        assertEquals(1, back.size());
        assertEquals(address, back.getFirst().address());
        final byte[] expected = new byte[bytes];
        System.arraycopy(config.toByteArray(), 0, expected, 0, Math.min(bytes, config.readableLength()));
        assertArrayEquals(expected, back.getFirst().config().toByteArray(), "lspci -F read back other bytes");

        final String theirs = Lspci.run("-F", file.toString(), "-vvn");
        final String ours = LspciFormatter.format(new LspciFormatter.View(address, config, null, -1, null));
        Lspci.assertMatches(ours, theirs, exact);
    }

    private static VirtualConfigSpace export(final PciDevice device, final boolean permissive)
    {
        final Pciback pciback = new Pciback(List.of(device), WarningSink.STDERR);
        pciback.hide(HideSpecParser.parseXen("(" + device.address() + ")"));
        return pciback.attach(2, List.of(new PciAssignment(PciSelector.of(device.address()), -1, permissive, false,
            false, false, "strict"))).getFirst().config();
    }

    @Test
    void shouldRoundTripAConventionalEmulatedDeviceExactly() throws Exception
    {
        final PciDevice device = TestDevices.legacy(PciAddress.parse("00:05.0"));
        roundTrip(device.address(), device.snapshot(), true);
    }

    @Test
    void shouldRoundTripAPcieDeviceWithExtendedSpace() throws Exception
    {
        final PciDevice device = TestDevices.nic(PciAddress.parse("0001:02:00.0"));
        roundTrip(device.address(), device.snapshot(), false);
    }

    @Test
    void shouldRoundTripABridge() throws Exception
    {
        final PciDevice device = TestDevices.bridge(PciAddress.parse("00:1e.0"), 1, 4);
        roundTrip(device.address(), device.snapshot(), true);
        // windows programmed: 32-bit I/O, memory, 64-bit prefetchable
        final ConfigSpace c = device.snapshot();
        c.writeByte(PciRegisters.IO_BASE, 0x21);
        c.writeByte(PciRegisters.IO_LIMIT, 0x31);
        c.writeWord(PciRegisters.IO_BASE_UPPER16, 0x0001);
        c.writeWord(PciRegisters.IO_LIMIT_UPPER16, 0x0001);
        c.writeWord(PciRegisters.MEMORY_BASE, 0xFE00);
        c.writeWord(PciRegisters.MEMORY_LIMIT, 0xFE10);
        c.writeWord(PciRegisters.PREF_MEMORY_BASE, 0x0001);
        c.writeWord(PciRegisters.PREF_MEMORY_LIMIT, 0x0FF1);
        c.writeDword(PciRegisters.PREF_BASE_UPPER32, 0x80);
        c.writeDword(PciRegisters.PREF_LIMIT_UPPER32, 0x80);
        c.writeWord(PciRegisters.BRIDGE_CONTROL, 0x0813);
        c.writeWord(PciRegisters.SEC_STATUS, 0x2220);
        roundTrip(device.address(), c, true);
        // an empty memory window and unknown range types
        c.writeWord(PciRegisters.MEMORY_BASE, 0xFE20);
        c.writeByte(PciRegisters.IO_BASE, 0x22);
        roundTrip(device.address(), c, true);
    }

    @Test
    void shouldRoundTripVirtualizedViews() throws Exception
    {
        for (final PciDevice device : List.of(TestDevices.legacy(PciAddress.parse("00:05.0")),
            TestDevices.nic(PciAddress.parse("00:06.0")), TestDevices.bridge(PciAddress.parse("00:1e.0"), 1, 1)))
        {
            final VirtualConfigSpace guest = export(device, false);
            // the guest sizes BAR0 while we look: the sizing value must survive the trip too
            guest.write(0x10, 4, 0xFFFFFFFF);
            roundTrip(PciAddress.parse("00:00.0"), guest.guestSnapshot(), device.address().slot() != 6);
        }
    }

    @Test
    void shouldDecodeChainsThatFillEverySlotAndChainsThatLoopAsLspciDoes() throws Exception
    {
        final PciAddress address = PciAddress.parse("00:07.0");
        roundTrip(address, CapabilityWalkerTest.fullChain(), true);
        final ConfigSpace loop = CapabilityWalkerTest.fullChain();
        loop.writeByte(0x40 + 4 * 10 + 1, 0x48);
        roundTrip(address, loop, true);
        final ConfigSpace broken = CapabilityWalkerTest.fullChain();
        broken.writeByte(0x50, 0xFF);
        roundTrip(address, broken, true);
        roundTrip(address, CapabilityWalkerTest.fullExtendedChain(), false);
    }
}
