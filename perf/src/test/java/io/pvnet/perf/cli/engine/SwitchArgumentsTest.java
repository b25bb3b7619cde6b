package io.pvnet.perf.cli.engine;

import io.pvnet.perf.cli.PvnetMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code pvnet switch} option's bad values, through the command line as a user types them: exit 2, one line
 * {@code pvnet switch: ...} naming the option and what it must be (for a picocli parse error also the hint to
 * {@code --help}), never a stack trace, and nothing created.
 */
class SwitchArgumentsTest
{
    private static final String REGION = "/tmp/pvnet-switch-arguments-test";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--vifs 2                                           | Missing required option: '--region=PATH'",
        "--region " + REGION + "                            | Missing required option: '--vifs=N'",
        "--region " + REGION + " --vifs two                 | Invalid value for option '--vifs': 'two' is not an int",
        "--region " + REGION + " --vifs 0                   | --vifs=0 must be in 1..4096",
        "--region " + REGION + " --vifs 4097                | --vifs=4097 must be in 1..4096",
        "--region " + REGION + " --vifs 256 --routed        | --vifs=256 must be in 1..255 with --routed",
        "--region " + REGION + " --vifs 2 --queues 0        | --queues=0 must be in 1..16",
        "--region " + REGION + " --vifs 2 --queues 17       | --queues=17 must be in 1..16",
        "--region " + REGION + " --vifs 2 --idle fast       | 'fast' is not one of busy-spin, backoff, sleep, adaptive",
        "--region " + REGION + " --vifs 2 --mtu 67          | --mtu=67 must be in 68..65535",
        "--region " + REGION + " --vifs 2 --mtu 65536       | --mtu=65536 must be in 68..65535",
        "--region " + REGION + " --vifs 2 --tap ,offload=on | --tap=,offload=on needs an interface name",
        "--region " + REGION + " --vifs 2 --tap a/b         | --tap=a/b needs an interface name",
        "--region " + REGION + " --vifs 2 --tap a,offload=maybe | --tap a,offload=maybe offload=maybe must be on or off",
        "--region " + REGION + " --vifs 2 --tap a,speed=1   | --tap=a,speed=1: unknown key 'speed' (expected offload)",
        "--region " + REGION + " --vifs 2 --tap pv0 --tap pv0,offload=off | --tap=pv0,offload=off: TAP pv0 is given twice",
        "--region " + REGION + " --vifs 2 --vxlan local=127.0.0.1,vni=3 | --vxlan=local=127.0.0.1,vni=3 must be local=IP,remote=IP,vni=N",
        "--region " + REGION + " --vifs 2 --vxlan local=x,remote=127.0.0.1,vni=3 | --vxlan local=x is not an IP address",
        "--region " + REGION + " --vifs 2 --vxlan local=127.0.0.1,remote=::1,vni=3 | local and remote must both be IPv4 or both IPv6",
        "--region " + REGION + " --vifs 2 --vxlan local=127.0.0.1,remote=127.0.0.2,vni=16777216 | --vxlan vni=16777216 must be in 0..16777215",
        "--region " + REGION + " --vifs 2 --vxlan local=127.0.0.1,remote=127.0.0.2,vni=1,port=0 | --vxlan port=0 must be in 1..65535",
        "--region " + REGION + " --vifs 2 --vxlan local=127.0.0.1,remote=127.0.0.2,vni=1,mtu=9 | --vxlan mtu=9 must be in 68..65000",
        "--region " + REGION + " --vifs 2 --pcap vif1       | --pcap=vif1 must be PORT=FILE",
        "--region " + REGION + " --vifs 2 --pcap vif1=/tmp/c.pcapng,snaplen=0 | snaplen=0 must be a whole number from 1 to 262144",
        "--region " + REGION + " --vifs 2 --pcap vif1=/tmp/c.pcapng,files=3 | files=3 needs rotate=MB",
        "--region " + REGION + " --vifs 2 --pcap vif1=/no/such/dir/c.pcapng | directory /no/such/dir does not exist",
        "--region " + REGION + " --vifs 2 --pcap vif1=/tmp/a.pcapng --pcap vif1.0=/tmp/b.pcapng | port vif1.0 is captured twice",
        "--region " + REGION + " --vifs 2 --pcap vif3=/tmp/c.pcapng | --pcap vif3.0: no such port (vif1.0..vif2.0)",
        "--region " + REGION + " --vifs 2 --tap pv0 --pcap pv1=/tmp/c.pcapng | --pcap pv1: no such port (vif1.0..vif2.0, pv0)",
        "--region " + REGION + " --vifs 2 --metrics x       | --metrics=x must be PORT or ADDR:PORT",
        "--region " + REGION + " --vifs 2 --metrics 70000   | --metrics=70000: port must be in 0..65535",
        "--region " + REGION + " --vifs 2 --metrics 300.1.1.1:9100 | --metrics=300.1.1.1 is not an IP address",
        "--region " + REGION + " --vifs 2 --route 10.0.0.0/8=vif1 | --router-ip and --route need --routed",
        "--region " + REGION + " --vifs 2 --routed --route 10.0.0.0/8=vif3 | no such port 'vif3'",
        "--region " + REGION + " --vifs 2 --vif-owner 1     | --vif-owner=1 must be N=UID",
        "--region " + REGION + " --vifs 2 --vif-owner 3=1000 | --vif-owner vif=3 must be in 1..2",
        "--region " + REGION + " --vifs 2 --vif-owner 1=-1  | --vif-owner uid=-1 must be in 0..2147483647",
        "--region " + REGION + " --vifs 2 --vif-owner 1=1000 --vif-owner 1=1001 | --vif-owner=1=1001: vif 1 is given an owner twice",
        "--region " + REGION + " --vifs 2 --napi-budget 0   | --napi-budget=0 must be in 1..256",
        "--region " + REGION + " --vifs 2 --spin-us -1      | --spin-us=-1 must be in 0..1000000",
        "--region " + REGION + " --vifs 2 --colour          | Unknown option: '--colour'",
    })
    void shouldRefuseEachBadValueWithOneLineAndExitCode2(final String arguments, final String expected)
    {
        final List<String> args = new ArrayList<>(List.of("switch"));
        args.addAll(List.of(arguments.trim().split("\\s+")));
        final PrintStream savedErr = System.err;
        final PrintStream savedOut = System.out;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int exit;
        try
        {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            exit = PvnetMain.commandLine().execute(args.toArray(new String[0]));
        }
        finally
        {
            System.setErr(savedErr);
            System.setOut(savedOut);
        }
        final String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, message);
        final List<String> lines = message.lines().filter(line -> !line.startsWith("Try 'pvnet switch --help'"))
            .toList();
        assertEquals(1, lines.size(), "one line (and at most the hint to --help): " + message);
        assertTrue(lines.get(0).startsWith("pvnet switch: "), message);
        assertTrue(lines.get(0).contains(expected.trim()), message);
        assertFalse(message.contains("Exception") || message.contains("\tat "), "no stack trace: " + message);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing on stdout");
        assertFalse(Files.exists(Path.of(REGION)), "nothing created");
    }

    @Test
    void shouldParseTheValuesItChecked()
    {
        final SwitchArguments arguments = new SwitchArguments();
        arguments.vifs = 3;
        arguments.taps = List.of("pv0,offload=off", "pv1");
        arguments.vifOwners = List.of("2=1000", "3=0");
        arguments.pcaps = List.of("vif2=/tmp/pvnet-switch-arguments-test.pcapng,snaplen=96", "pv1=/tmp/x.pcapng");
        arguments.check();
        assertEquals("pv0", SwitchArguments.tapName(arguments.taps.get(0)));
        assertFalse(SwitchArguments.tapOffload(arguments.taps.get(0)));
        assertTrue(SwitchArguments.tapOffload(arguments.taps.get(1)));
        assertEquals(java.util.Map.of(2, 1000, 3, 0), arguments.vifOwners());
        assertEquals(List.of("vif2.0", "pv1"), List.copyOf(arguments.captures().keySet()));
        assertEquals(96, arguments.captures().get("vif2.0").snapLength());
    }
}
