package io.pvnet.perf.cli.engine;

import io.pvnet.engine.vif.VifConfig;
import picocli.CommandLine.Option;

/**
 * The options of a process that attaches to a switch as a guest, shared by {@code pvnet guest} and {@code pvnet gen}
 * (a picocli mixin): which switch and vif, and the guest's own addresses. {@link #settings} checks them.
 */
final class GuestAttachOptions
{
    @Option(names = "--region", required = true, paramLabel = "PATH",
        description = "The switch's status file, as given to pvnet switch --region (a path, or NAME for " +
            "/dev/shm/pvnet-NAME); the guest attaches over PATH.sock.")
    String region;

    @Option(names = "--vif", required = true, paramLabel = "I", description = "Which vif of the switch (1..N).")
    int vif;

    @Option(names = "--ip", required = true, paramLabel = "ADDR/PREFIX", description = "This guest's IPv4 address.")
    String ip;

    @Option(names = "--mac", paramLabel = "MAC", description = "MAC address (default 00:16:3e:00:I:00).")
    String mac;

    @Option(names = "--wait", paramLabel = "SECONDS",
        description = "How long to wait for the switch at start (default 20 s; a guest with --reconnect also waits " +
            "this long after the switch went).")
    int waitSeconds = 20;

    /** {@return {@code --wait} in nanoseconds} */
    long waitNs()
    {
        return waitSeconds * 1_000_000_000L;
    }

    /**
     * @param ip6    the guest's IPv6 address with its prefix, or null.
     * @param queues the queues to ask the switch for.
     * @return the guest's settings.
     * @throws IllegalArgumentException naming the first option that is wrong.
     */
    GuestNode.Settings settings(final String ip6, final int queues)
    {
        if (waitSeconds < 0)
        {
            throw new IllegalArgumentException("--wait=" + waitSeconds + " must be >= 0 seconds");
        }
        if (queues < 1 || queues > VifConfig.MAX_QUEUES)
        {
            throw new IllegalArgumentException("--queues=" + queues + " must be in 1.." + VifConfig.MAX_QUEUES);
        }
        if (vif < 1 || vif > SwitchArguments.MAX_VIFS)
        {
            throw new IllegalArgumentException("--vif=" + vif + " must be in 1.." + SwitchArguments.MAX_VIFS);
        }
        final HostArguments.Address v4 = HostArguments.ipv4("--ip", ip);
        final HostArguments.Address v6 = ip6 == null ? null : HostArguments.ipv6("--ip6", ip6);
        VifConfig config = VifConfig.of(vif, 0).withQueues(queues);
        if (mac != null)
        {
            config = config.withMac(HostArguments.mac("--mac", mac));
        }
        return new GuestNode.Settings(RegionArgument.path(region), config, v4.ipv4(), v4.prefix(),
            v6 == null ? null : v6.address().getAddress());
    }
}
