package io.pvnet.perf.bench;

import io.pvnet.perf.harness.Scenario;
import java.util.List;

/** Every {@code ./pvnet bench} scenario, in the order a full run measures them. */
public final class Scenarios
{
    private Scenarios()
    {
    }

    /** @return a fresh instance of each scenario. */
    public static List<Scenario> all()
    {
        return List.of(
            new io.pvnet.perf.ring.RingScenario(),
            new io.pvnet.perf.ring.RingLatencyScenario(),
            new io.pvnet.perf.checksum.ChecksumScenario(),
            new io.pvnet.perf.checksum.TsoScenario(),
            new VifScenario(),
            new IdleScenario(),
            new WakeScenario(),
            new VifXprocScenario(),
            new io.pvnet.perf.pci.PciScenario(),
            new SwitchScenario(),
            new io.pvnet.perf.tap.TapScenario()
        );
    }
}
