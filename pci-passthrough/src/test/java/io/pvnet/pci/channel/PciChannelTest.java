package io.pvnet.pci.channel;

import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.PciRegisters;
import io.pvnet.pci.TestDevices;
import io.pvnet.pci.backend.PciOp;
import io.pvnet.pci.backend.Pciback;
import io.pvnet.pci.backend.XenPciOp;
import io.pvnet.pci.backend.WarningSink;
import io.pvnet.pci.backend.XenPciError;
import io.pvnet.pci.spec.DomainConfigParser;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.ring.event.EventChannel;
import io.pvnet.ring.event.EventChannelDescriptor;
import io.pvnet.ring.event.IdleMode;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.pvnet.pci.backend.VirtualConfigSpace.error;
import static io.pvnet.pci.backend.VirtualConfigSpace.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pcifront and pciback talking through the shared page in a region section, on two threads. */
class PciChannelTest
{
    private static final int DOMID = 5;
    /** Round trips in the stress test; -Dpvnet.pci.channelOps=N to change. */
    private static final int OPS = Integer.getInteger("pvnet.pci.channelOps", 20_000);

    private Region region;
    private PciSection section;
    private Pciback pciback;
    private PciDevice device;
    private AgentRunner runner;
    private PcifrontChannel front;

    @BeforeEach
    void setUp()
    {
        region = Region.createAnonymous(8 << 20);
        section = PciSection.allocate(region, DOMID, 16, 1 << 20);
        device = TestDevices.nic(PciAddress.parse("03:00.0"));
        pciback = new Pciback(List.of(device), WarningSink.STDERR);
        pciback.hide(HideSpecParser.parseXen("(03:00.0)"));
        pciback.attach(DOMID, DomainConfigParser.parse("pci = ['03:00.0']").pci());
        final var ports = region.allocateSection("evtchn", EventChannelDescriptor.lengthBytes(2)).buffer();
        final EventChannel backEnd = new EventChannel(ports, 0, 1, IdleMode.YIELD);
        final EventChannel frontEnd = new EventChannel(ports, 1, 0, IdleMode.YIELD);
        runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
            new PcibackAgent(pciback, section, backEnd));
        AgentRunner.startOnThread(runner);
        // a generous timeout: on a loaded CI machine the agent thread may be descheduled for a while; the 2 s
        // timeout itself is tested with an injected clock below
        front = new PcifrontChannel(PciSection.find(region, DOMID), frontEnd, new YieldingIdleStrategy(),
            new SystemNanoClock(), 60_000_000_000L);
    }

    @AfterEach
    void tearDown()
    {
        if (runner != null)
        {
            runner.close();
        }
        region.close();
    }

    @Test
    void shouldHaveXensSharedInfoLayout()
    {
        // offsets of struct xen_pci_sharedinfo in xen/include/public/io/pciif.h
        assertEquals(4, PciSharedInfoDescriptor.CMD_OFFSET);
        assertEquals(8, PciSharedInfoDescriptor.ERR_OFFSET);
        assertEquals(20, PciSharedInfoDescriptor.DEVFN_OFFSET);
        assertEquals(32, PciSharedInfoDescriptor.VALUE_OFFSET);
        assertEquals(40, PciSharedInfoDescriptor.MSIX_ENTRIES_OFFSET);
        assertEquals(552, PciSharedInfoDescriptor.AER_OP_OFFSET);
        assertEquals(572, PciSharedInfoDescriptor.LENGTH);
        assertEquals("pci-5", region.section("pci-5").name());
    }

    @Test
    void shouldReadAndWriteConfigThroughTheSharedPage()
    {
        final long vendor = front.configRead(0, 0, 0, PciRegisters.VENDOR_ID, 4);
        assertEquals(XenPciError.SUCCESS, error(vendor));
        assertEquals(0x10d38086, value(vendor));
        assertEquals(XenPciError.SUCCESS, front.configWrite(0, 0, 0, 0x10, 4, 0xFFFFFFFF));
        assertEquals(-(128 * 1024), value(front.configRead(0, 0, 0, 0x10, 4)));
        assertEquals(XenPciError.INVALID_OFFSET, error(front.configRead(0, 0, 0, 3, 2)));
        assertEquals(XenPciError.DEV_NOT_FOUND, error(front.configRead(0, 0, 8, 0, 4)));
        assertEquals(XenPciError.NOT_IMPLEMENTED, front.doOp(42, 0, 0, 0, 0, 0, 0));
        assertEquals(0, front.timeouts());
    }

    @Test
    void shouldCarryMsixEntriesAndVectors()
    {
        final int[] vectors = new int[4];
        assertEquals(XenPciError.SUCCESS, front.enableMsix(0, 0, 0, new int[] {4, 0, 2}, 3, vectors));
        assertTrue(vectors[0] > 0 && vectors[1] > 0 && vectors[2] > 0);
        assertEquals(0, vectors[3]);
        assertTrue(pciback.exportedAs(device.address()).config().isMsixEnabled());
        assertEquals(XenPciError.SUCCESS, front.disableMsix(0, 0, 0));
        final long msi = front.enableMsi(0, 0, 0);
        assertEquals(XenPciError.SUCCESS, error(msi));
        assertTrue(value(msi) > vectors[2]);
    }

    @Test
    void shouldAnswerEveryOpOfAStressRunCorrectly()
    {
        // a walk over the whole config space, each answer checked against the backend's own view
        final var guest = pciback.exportedAs(device.address()).config();
        for (int i = 0; i < OPS; i++)
        {
            final int offset = (i * 4) & 0xFFC;
            final long viaChannel = front.configRead(0, 0, 0, offset, 4);
            assertEquals(guest.read(offset, 4), viaChannel, "offset " + offset);
        }
        assertEquals(0, front.timeouts());
    }

    @Test
    void shouldAllocateNothingPerOp()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final PciOp op = new PciOp();
        for (int i = 0; i < 20_000; i++)
        {
            pciback.handle(DOMID, op.clear().set(XenPciOp.CONF_READ, 0, 0, 0, (i * 4) & 0xFC, 4, 0));
            pciback.handle(DOMID, op.clear().set(XenPciOp.CONF_WRITE, 0, 0, 0, 0x10, 4, -1));
        }
        // rounds until one allocates nothing: a loaded machine compiles late, so the bound is time, not a count
        long allocated = Long.MAX_VALUE;
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (allocated >= 4096 && System.nanoTime() < deadline)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++)
            {
                pciback.handle(DOMID, op.clear().set(XenPciOp.CONF_READ, 0, 0, 0, (i * 4) & 0xFC, 4, 0));
                pciback.handle(DOMID, op.clear().set(XenPciOp.CONF_WRITE, 0, 0, 0, 0x10, 4, -1));
                front.configRead(0, 0, 0, (i * 4) & 0xFC, 4);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertTrue(allocated < 4096, "bytes allocated by 30 000 ops: " + allocated);
    }

    @Test
    void shouldTimeOutLikePcifrontWhenTheBackendIsGone()
    {
        runner.close();
        runner = null;
        final long[] now = {0};
        final PcifrontChannel lonely = new PcifrontChannel(section, null, new org.agrona.concurrent.IdleStrategy()
        {
            @Override
            public void idle(final int workCount)
            {
                idle();
            }

            @Override
            public void idle()
            {
                now[0] += 500_000_000L;
            }

            @Override
            public void reset()
            {
            }
        }, () -> now[0], PciSharedInfoDescriptor.FRONTEND_TIMEOUT_NS);
        assertEquals(XenPciError.DEV_NOT_FOUND, error(lonely.configRead(0, 0, 0, 0, 4)));
        assertEquals(1, lonely.timeouts());
        assertEquals(0, section.buffer().getInt(section.sharedInfoOffset()) & PciSharedInfoDescriptor.FLAG_OP_PENDING,
            "the frontend cleared its pending flag");
        assertEquals(PciSharedInfoDescriptor.FRONTEND_TIMEOUT_NS, now[0]);
    }
}
