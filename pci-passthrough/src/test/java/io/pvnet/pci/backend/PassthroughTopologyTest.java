package io.pvnet.pci.backend;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.SnapshotConfigAccess;
import io.pvnet.pci.TestDevices;
import io.pvnet.pci.channel.PciSection;
import io.pvnet.pci.channel.PcibackAgent;
import io.pvnet.pci.channel.PcifrontChannel;
import io.pvnet.pci.device.SysfsScanner;
import io.pvnet.pci.spec.DomainConfigParser;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.pci.spec.PciAssignment;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static io.pvnet.pci.backend.VirtualConfigSpace.error;
import static io.pvnet.pci.backend.VirtualConfigSpace.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** xen-pciback's {@code passthrough=1}: guests see real addresses, one root per bus, pcifront reaches them there. */
class PassthroughTopologyTest
{
    private static final int DOMID = 6;

    private static Pciback passthrough(final PciDevice... devices)
    {
        return new Pciback(List.of(devices), WarningSink.STDERR, PciTopology.PASSTHROUGH);
    }

    private static List<PciAssignment> pci(final String list)
    {
        return DomainConfigParser.parse("pci = [ " + list + " ]").pci();
    }

    private static int read(final Pciback pciback, final PciAddress at, final int offset, final int size)
    {
        final PciOp op = new PciOp().set(XenPciOp.CONF_READ, at.domain(), at.bus(), at.devfn(), offset, size, 0);
        assertEquals(XenPciError.SUCCESS, pciback.handle(DOMID, op), "conf_read at " + at);
        return op.value();
    }

    private static int readError(final Pciback pciback, final PciAddress at)
    {
        final PciOp op = new PciOp().set(XenPciOp.CONF_READ, at.domain(), at.bus(), at.devfn(), 0, 4, 0);
        return pciback.handle(DOMID, op);
    }

    @Test
    void shouldKeepRealAddressesAndPublishOneRootPerBus()
    {
        final PciDevice nic = TestDevices.nic(PciAddress.parse("00:03.0"));
        final PciDevice f0 = TestDevices.legacy(PciAddress.parse("05:1a.0"));
        final PciDevice f1 = TestDevices.legacy(PciAddress.parse("05:1a.1"));
        final PciDevice otherDomain = TestDevices.nic(PciAddress.parse("0001:02:00.0"));
        final Pciback pciback = passthrough(nic, f0, f1, otherDomain);
        pciback.hide(HideSpecParser.parseXen("(00:03.0)(05:1a.*)(0001:02:00.0)"));
        final List<ExportedDevice> exported = pciback.attach(DOMID, pci("'05:1a.*', '00:03.0', '0001:02:00.0'"));

        for (final ExportedDevice device : exported)
        {
            assertEquals(device.device().address(), device.virtualAddress(), "the guest sees the real address");
            assertSame(device, pciback.lookup(DOMID, device.virtualAddress().domain(), device.virtualAddress().bus(),
                device.virtualAddress().devfn()));
        }
        assertEquals(List.of(new PciRoot(0, 0), new PciRoot(0, 5), new PciRoot(1, 2)), pciback.roots(DOMID),
            "one root per bus, each once, in address order");
        assertEquals("0001:02", pciback.roots(DOMID).get(2).toString(), "root-N as xen-pciback writes it");

        assertEquals(0x10d38086, read(pciback, PciAddress.parse("00:03.0"), PciRegisters.VENDOR_ID, 4));
        assertEquals(0x10f1, read(pciback, PciAddress.parse("05:1a.1"), PciRegisters.DEVICE_ID, 2));
        assertEquals(0x10d38086, read(pciback, PciAddress.parse("0001:02:00.0"), PciRegisters.VENDOR_ID, 4));
        assertEquals(XenPciError.DEV_NOT_FOUND, readError(pciback, PciAddress.parse("00:00.0")),
            "no virtual slot 0: vpci's address means nothing here");
        assertEquals(XenPciError.DEV_NOT_FOUND, readError(pciback, PciAddress.parse("0002:02:00.0")),
            "the domain is part of the address");
        assertEquals(XenPciError.DEV_NOT_FOUND, pciback.handle(DOMID + 1,
            new PciOp().set(XenPciOp.CONF_READ, 0, 0, PciAddress.parse("00:03.0").devfn(), 0, 4, 0)),
            "another guest sees nothing");

        pciback.detach(f1.address());
        assertEquals(XenPciError.DEV_NOT_FOUND, readError(pciback, f1.address()));
        assertEquals(3, pciback.roots(DOMID).size(), "05:1a.0 keeps bus 05 a root");
        pciback.detach(f0.address());
        assertEquals(List.of(new PciRoot(0, 0), new PciRoot(1, 2)), pciback.roots(DOMID));
    }

    @Test
    void shouldPublishNoRootForABusWhoseBridgeIsExported()
    {
        final Pciback pciback = passthrough(TestDevices.bridge(PciAddress.parse("00:1e.0"), 1, 2),
            TestDevices.nic(PciAddress.parse("01:00.0")), TestDevices.nic(PciAddress.parse("02:03.0")));
        pciback.hide(HideSpecParser.parseXen("(00:1e.0)"));
        pciback.attach(DOMID, pci("'00:1e.0', '01:00.0', '02:03.0'"));
        // 01:00.0 sits right behind the exported bridge; bus 02's own bridge (on bus 01) is not exported
        assertEquals(List.of(new PciRoot(0, 0), new PciRoot(0, 2)), pciback.roots(DOMID));
        assertEquals(0x10d38086, read(pciback, PciAddress.parse("01:00.0"), PciRegisters.VENDOR_ID, 4));
    }

    @Test
    void shouldRefuseAVirtualSlotAndChangeNothing()
    {
        final PciDevice a = TestDevices.nic(PciAddress.parse("03:00.0"));
        final PciDevice b = TestDevices.nic(PciAddress.parse("04:00.0"));
        final Pciback pciback = passthrough(a, b);
        pciback.hide(HideSpecParser.parseXen("(03:00.0)(04:00.0)"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> pciback.attach(DOMID, pci("'03:00.0', '04:00.0@5'")));
        assertTrue(ex.getMessage().contains("passthrough"), ex.getMessage());
        assertNull(pciback.exportedAs(a.address()));
        assertTrue(pciback.roots(DOMID).isEmpty());
    }

    @Test
    void shouldKeepVpciWithItsSingleRoot()
    {
        final Pciback pciback = new Pciback(List.of(TestDevices.nic(PciAddress.parse("00:03.0")),
            TestDevices.nic(PciAddress.parse("0001:02:00.0"))), WarningSink.STDERR);
        assertEquals(PciTopology.VPCI, pciback.topology());
        pciback.hide(HideSpecParser.parseXen("(00:03.0)(0001:02:00.0)"));
        pciback.attach(DOMID, pci("'00:03.0', '0001:02:00.0'"));
        assertEquals(List.of(new PciRoot(0, 0)), pciback.roots(DOMID));
        assertEquals(0x10d38086, read(pciback, PciAddress.parse("00:01.0"), PciRegisters.VENDOR_ID, 4));
        assertEquals(XenPciError.DEV_NOT_FOUND, readError(pciback, PciAddress.parse("0001:02:00.0")),
            "vpci hides real addresses");
    }

    @Test
    void shouldParseTopologyNames()
    {
        assertEquals(PciTopology.PASSTHROUGH, PciTopology.parse("Passthrough"));
        assertEquals(PciTopology.VPCI, PciTopology.parse("vpci"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PciTopology.parse("flat")).getMessage()
            .contains("vpci or passthrough"));
    }

    @Test
    void shouldReachTheSysfsBacked0003AtItsRealAddressReadOnly()
    {
        Assumptions.assumeTrue(Files.isDirectory(SysfsScanner.DEFAULT_ROOT), "no /sys/bus/pci/devices here");
        final PciAddress address = PciAddress.parse("00:03.0");
        final PciDevice device = new SysfsScanner(SysfsScanner.DEFAULT_ROOT).find(address);
        Assumptions.assumeTrue(device != null, "this machine has no 00:03.0");
        final Pciback pciback = passthrough(device);
        pciback.hide(HideSpecParser.parseXen("(00:03.0)"));
        pciback.attach(DOMID, pci("'00:03.0'"));
        assertEquals(List.of(new PciRoot(0, 0)), pciback.roots(DOMID));

        final int ids = device.snapshot().readByte(0) | device.snapshot().readByte(1) << 8 |
            device.snapshot().readByte(2) << 16 | device.snapshot().readByte(3) << 24;
        assertEquals(ids, read(pciback, address, PciRegisters.VENDOR_ID, 4), "the real vendor and device IDs");
        assertEquals(device.snapshot().readByte(PciRegisters.CLASS),
            read(pciback, address, PciRegisters.CLASS, 1));
        final PciOp write = new PciOp().set(XenPciOp.CONF_WRITE, 0, 0, address.devfn(), PciRegisters.COMMAND, 2, 0);
        pciback.handle(DOMID, write);
        assertTrue(device.config() instanceof SnapshotConfigAccess, "sysfs is only ever read");
    }

    @Test
    void shouldCarryConfReadsThroughTheSharedPageToTheRealAddress()
    {
        final PciDevice nic = TestDevices.nic(PciAddress.parse("00:03.0"));
        final PciDevice far = TestDevices.legacy(PciAddress.parse("0001:07:02.3"));
        final Pciback pciback = passthrough(nic, far);
        pciback.hide(HideSpecParser.parseXen("(00:03.0)(0001:07:02.3)"));
        pciback.attach(DOMID, pci("'00:03.0', '0001:07:02.3'"));
        try (Region region = Region.createAnonymous(4 << 20))
        {
            final PciSection section = PciSection.allocate(region, DOMID, 4, 1 << 20);
            final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                new PcibackAgent(pciback, section, null));
            AgentRunner.startOnThread(runner);
            try
            {
                final PcifrontChannel front = new PcifrontChannel(PciSection.find(region, DOMID), null,
                    new YieldingIdleStrategy(), new SystemNanoClock(), 60_000_000_000L);
                final long vendor = front.configRead(0, 0, nic.address().devfn(), PciRegisters.VENDOR_ID, 4);
                assertEquals(XenPciError.SUCCESS, error(vendor));
                assertEquals(0x10d38086, value(vendor));
                final long farDevice = front.configRead(1, 7, far.address().devfn(), PciRegisters.DEVICE_ID, 2);
                assertEquals(XenPciError.SUCCESS, error(farDevice));
                assertEquals(0x10f1, value(farDevice));
                assertEquals(XenPciError.DEV_NOT_FOUND, error(front.configRead(0, 0, 0, PciRegisters.VENDOR_ID, 4)));
            }
            finally
            {
                runner.close();
            }
        }
    }
}
