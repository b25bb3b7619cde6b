package io.pvnet.perf.cli.engine;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parsing of the switch/guest/gen arguments: addresses with prefixes and {@code key=value,...} port specs. Every
 * method throws {@link IllegalArgumentException} with a one-line message naming the argument; the commands print it
 * and exit 2.
 */
final class HostArguments
{
    private HostArguments()
    {
    }

    /** A parsed {@code ADDR[/PREFIX]}. */
    record Address(InetAddress address, int prefix)
    {
        int ipv4()
        {
            final byte[] b = address.getAddress();
            return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        }
    }

    static Address ipv4(final String option, final String text)
    {
        final Address parsed = address(option, text, 32);
        if (!(parsed.address instanceof Inet4Address))
        {
            throw new IllegalArgumentException(option + "=" + text + " must be an IPv4 address");
        }
        return parsed;
    }

    static Address ipv6(final String option, final String text)
    {
        final Address parsed = address(option, text, 128);
        if (!(parsed.address instanceof Inet6Address))
        {
            throw new IllegalArgumentException(option + "=" + text + " must be an IPv6 address");
        }
        return parsed;
    }

    static Address address(final String option, final String text, final int defaultPrefix)
    {
        final int slash = text.indexOf('/');
        final String host = slash < 0 ? text : text.substring(0, slash);
        if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+"))
        {
            throw new IllegalArgumentException(option + "=" + text + " is not an IP address");
        }
        final InetAddress address;
        try
        {
            address = InetAddress.getByName(host);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException(option + "=" + text + " is not an IP address");
        }
        final int max = address instanceof Inet4Address ? 32 : 128;
        int prefix = Math.min(defaultPrefix, max);
        if (slash >= 0)
        {
            try
            {
                prefix = integer(option, text.substring(slash + 1), 0, max);
            }
            catch (final IllegalArgumentException ex)
            {
                // name the whole argument, not just the number after the slash
                throw new IllegalArgumentException(option + "=" + text + ": the prefix must be a number in 0.." + max);
            }
        }
        return new Address(address, prefix);
    }

    static int integer(final String option, final String text, final int min, final int max)
    {
        try
        {
            final long value = Long.parseLong(text.trim());
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(option + "=" + text + " must be in " + min + ".." + max);
            }
            return (int)value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + "=" + text + " must be a number in " + min + ".." + max);
        }
    }

    /** {@code first[,key=value]...}: the first element under key "" unless it contains '='. */
    static Map<String, String> spec(final String option, final String text, final String... keys)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        final String[] parts = text.split(",", -1);
        for (int i = 0; i < parts.length; i++)
        {
            final String part = parts[i];
            final int equals = part.indexOf('=');
            if (equals < 0 && i == 0)
            {
                values.put("", part);
                continue;
            }
            if (equals <= 0)
            {
                throw new IllegalArgumentException(option + "=" + text + ": '" + part + "' is not key=value");
            }
            final String key = part.substring(0, equals);
            if (!java.util.Arrays.asList(keys).contains(key))
            {
                throw new IllegalArgumentException(option + "=" + text + ": unknown key '" + key + "' (expected " +
                    String.join(", ", keys) + ")");
            }
            if (values.put(key, part.substring(equals + 1)) != null)
            {
                throw new IllegalArgumentException(option + "=" + text + ": key '" + key + "' given twice");
            }
        }
        return values;
    }

    static boolean onOff(final String option, final String value)
    {
        return switch (value)
        {
            case "on", "1", "true", "yes" -> true;
            case "off", "0", "false", "no" -> false;
            default -> throw new IllegalArgumentException(option + " offload=" + value + " must be on or off");
        };
    }

    static long mac(final String option, final String text)
    {
        final long mac = io.pvnet.engine.vif.VifConfig.parseMac(text);
        if (mac < 0)
        {
            throw new IllegalArgumentException(option + "=" + text + " must be a MAC as xx:xx:xx:xx:xx:xx");
        }
        final String problem = io.pvnet.engine.vif.VifConfig.macProblem(mac);
        if (problem != null)
        {
            throw new IllegalArgumentException(option + "=" + text + " " + problem);
        }
        return mac;
    }
}
