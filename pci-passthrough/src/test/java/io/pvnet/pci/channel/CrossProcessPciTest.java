package io.pvnet.pci.channel;

import io.pvnet.testsupport.ChildJvm;
import io.pvnet.pci.PciAddress;
import io.pvnet.pci.PciDevice;
import io.pvnet.pci.TestDevices;
import io.pvnet.pci.backend.ExportedDevice;
import io.pvnet.pci.backend.Pciback;
import io.pvnet.pci.backend.WarningSink;
import io.pvnet.pci.spec.DomainConfigParser;
import io.pvnet.pci.spec.HideSpecParser;
import io.pvnet.ring.region.Region;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pcifront in a second JVM, pciback here, through a file-backed region: the section is found by name. */
class CrossProcessPciTest
{
    @TempDir
    Path dir;

    @Test
    void shouldServeAFrontendInAnotherProcess() throws Exception
    {
        final Path path = dir.resolve("pci-region");
        try (Region region = Region.create(path, 2 << 20))
        {
            final PciSection section = PciSection.allocate(region, 9, 8, 512 * 1024);
            final PciDevice device = TestDevices.nic(PciAddress.parse("03:00.0"));
            final Pciback pciback = new Pciback(List.of(device), WarningSink.STDERR);
            pciback.hide(HideSpecParser.parseXen("(03:00.0)"));
            final ExportedDevice exported = pciback.attach(9, DomainConfigParser.parse("pci = ['03:00.0']").pci())
                .getFirst();
            final List<BarWindow> windows = section.exportBars(exported, null, new ArrayList<>());
            final int hardwareBar0 = device.config().read(0x10, 4);
            try (AgentRunner runner = new AgentRunner(new YieldingIdleStrategy(), Throwable::printStackTrace, null,
                new PcibackAgent(pciback, section, null)))
            {
                AgentRunner.startOnThread(runner);
                final Process process = ChildJvm.of(CrossProcessPcifront.class).arguments(path.toString(), "9")
                    .processBuilder().redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), "frontend process hung");
                assertEquals(0, process.exitValue(), out);
                assertEquals("err=0 ids=10d38086 size=131072 window=0/131072", out.trim());
            }
            assertEquals(0x5EC7105, windows.getFirst().getInt(0x40, -1), "the other process wrote BAR0's window");
            assertEquals(hardwareBar0, device.config().read(0x10, 4), "the guest's sizing never reached the hardware");
        }
    }
}
