package io.pvnet.perf.cli.engine;

import io.pvnet.engine.router.Router;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pvnet switch --routed}: each port's MAC and addresses (defaults, {@code --router-ip PORT=ADDR/PREFIX}
 * overrides) and the static routes ({@code --route PREFIX=PORT[,via=IP]}), parsed and checked before anything is
 * created, then applied to a {@link Router}.
 * <p>
 * Defaults, by port kind (0 = vif D, 1 = the k-th TAP from 0, 2 = vxlanK) and number n (D or k): MAC
 * {@code 02:70:76:00:kind:n}, {@code 10.kind.n.1/24} and {@code fd00:0:kind:n::1/64} (n in hex in the IPv6 form).
 */
final class RouterSetup
{
    /** One router port: alias (vifD, the TAP name, vxlanK) and its addresses. */
    static final class PortPlan
    {
        final String alias;
        final long mac;
        int ipv4;
        int prefix4;
        long hi6;
        long lo6;
        int prefix6;

        PortPlan(final String alias, final int kind, final int number)
        {
            this.alias = alias;
            mac = 0x02_70_76_00_00_00L | ((long)kind << 8) | number;
            ipv4 = (10 << 24) | (kind << 16) | (number << 8) | 1;
            prefix4 = 24;
            hi6 = 0xFD00_0000_0000_0000L | ((long)kind << 16) | number;
            lo6 = 1;
            prefix6 = 64;
        }
    }

    private record RoutePlan(boolean ipv4, long hi, long lo, int prefix, String port, boolean hasVia, long viaHi,
        long viaLo)
    {
    }

    private final Map<String, PortPlan> ports = new LinkedHashMap<>();
    private final List<RoutePlan> routes = new ArrayList<>();

    /** Declares a port, in attach order. */
    void port(final String name, final int kind, final int number)
    {
        final String alias = RegionArgument.vifName(name);
        if (number > 255)
        {
            throw new IllegalArgumentException("port=" + alias + " number=" + number + " must be <= 255 in routed mode");
        }
        if (ports.put(alias, new PortPlan(alias, kind, number)) != null)
        {
            throw new IllegalArgumentException("port=" + alias + " given twice");
        }
    }

    /** Parses the {@code --router-ip} and {@code --route} values against the declared ports. */
    void parse(final List<String> routerIps, final List<String> routeTexts)
    {
        for (final String text : routerIps)
        {
            final int equals = text.indexOf('=');
            if (equals <= 0)
            {
                throw new IllegalArgumentException("--router-ip=" + text + " must be PORT=ADDR/PREFIX");
            }
            final PortPlan port = portNamed("--router-ip", text, text.substring(0, equals));
            final HostArguments.Address address = HostArguments.address("--router-ip", text.substring(equals + 1), -1);
            if (address.prefix() < 1)
            {
                throw new IllegalArgumentException("--router-ip=" + text + " needs a prefix length (ADDR/PREFIX)");
            }
            if (address.address() instanceof Inet4Address)
            {
                port.ipv4 = address.ipv4();
                port.prefix4 = address.prefix();
            }
            else
            {
                final ByteBuffer bytes = ByteBuffer.wrap(address.address().getAddress());
                port.hi6 = bytes.getLong();
                port.lo6 = bytes.getLong();
                port.prefix6 = address.prefix();
            }
        }
        for (final String text : routeTexts)
        {
            final int equals = text.indexOf('=');
            if (equals <= 0)
            {
                throw new IllegalArgumentException("--route=" + text + " must be PREFIX=PORT[,via=IP]");
            }
            final HostArguments.Address prefix = HostArguments.address("--route", text.substring(0, equals), -1);
            if (prefix.prefix() < 0)
            {
                throw new IllegalArgumentException("--route=" + text + " needs a prefix length (e.g. 0.0.0.0/0)");
            }
            final Map<String, String> spec = HostArguments.spec("--route", text.substring(equals + 1), "via");
            final PortPlan port = portNamed("--route", text, spec.get(""));
            final boolean ipv4 = prefix.address() instanceof Inet4Address;
            final long[] network = words(prefix.address());
            long[] via = {0, 0};
            final boolean hasVia = spec.containsKey("via");
            if (hasVia)
            {
                final InetAddress gateway = HostArguments.address("--route via", spec.get("via"), 128).address();
                if ((gateway instanceof Inet4Address) != ipv4)
                {
                    throw new IllegalArgumentException("--route=" + text + ": via must be of the prefix's family");
                }
                via = words(gateway);
                if (via[0] == 0 && via[1] == 0)
                {
                    throw new IllegalArgumentException("--route=" + text + ": via must not be the unspecified address");
                }
            }
            routes.add(new RoutePlan(ipv4, network[0], network[1], prefix.prefix(), port.alias, hasVia, via[0], via[1]));
        }
    }

    private PortPlan portNamed(final String option, final String text, final String alias)
    {
        // vif1, 1.0 and vif1.0 name the same port
        final PortPlan port = alias == null ? null : ports.get(RegionArgument.vifName(alias));
        if (port == null)
        {
            throw new IllegalArgumentException(option + "=" + text + ": no such port '" + alias + "' (" +
                String.join(", ", ports.keySet()) + ")");
        }
        return port;
    }

    /** @return {hi, lo} of an IPv6 address, {0, address} of an IPv4 one. */
    private static long[] words(final InetAddress address)
    {
        final byte[] bytes = address.getAddress();
        if (bytes.length == 4)
        {
            return new long[] {0, ByteBuffer.wrap(bytes).getInt() & 0xFFFF_FFFFL};
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new long[] {buffer.getLong(), buffer.getLong()};
    }

    /** @return the MAC of a declared port. */
    long mac(final String alias)
    {
        return ports.get(RegionArgument.vifName(alias)).mac;
    }

    /** Gives every attached port its addresses (connected routes) and adds the static routes. */
    void apply(final Router router, final Map<String, Integer> indexOf)
    {
        for (final PortPlan port : ports.values())
        {
            final int index = indexOf.get(port.alias);
            router.address4(index, port.ipv4, port.prefix4);
            router.address6(index, port.hi6, port.lo6, port.prefix6);
        }
        for (final RoutePlan route : routes)
        {
            final int index = indexOf.get(route.port());
            if (route.ipv4())
            {
                router.route4((int)route.lo(), route.prefix(), index, route.hasVia() ? (int)route.viaLo() : 0);
            }
            else
            {
                router.route6(route.hi(), route.lo(), route.prefix(), index, route.hasVia(), route.viaHi(),
                    route.viaLo());
            }
        }
    }

    /** @return e.g. {@code vif1.0 10.0.1.1/24 fd00:0:0:1::1/64 02:70:76:00:00:01}, one per port. */
    String describe()
    {
        final StringBuilder text = new StringBuilder();
        for (final PortPlan port : ports.values())
        {
            text.append(text.isEmpty() ? "" : "; ").append(port.alias).append(' ')
                .append((port.ipv4 >>> 24) + "." + ((port.ipv4 >>> 16) & 0xFF) + "." + ((port.ipv4 >>> 8) & 0xFF) +
                    "." + (port.ipv4 & 0xFF)).append('/').append(port.prefix4).append(' ')
                .append(ipv6Text(port.hi6, port.lo6)).append('/').append(port.prefix6).append(' ')
                .append(String.format("%012x", port.mac).replaceAll("(..)(?!$)", "$1:"));
        }
        return text.toString();
    }

    private static String ipv6Text(final long hi, final long lo)
    {
        try
        {
            final byte[] bytes = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
            // RFC 5952 (fd00:0:0:1::1), as ip(8) prints it and the README writes it, not Java's fd00:0:0:1:0:0:0:1
            return io.netty.util.NetUtil.toAddressString(InetAddress.getByAddress(bytes));
        }
        catch (final java.net.UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
