package io.pvnet.perf.cli.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad arguments to switch, guest and gen: exit 2 and one line saying what is wrong, before anything is created. */
class HostCommandArgumentsTest
{
    @org.junit.jupiter.api.Test
    void shouldTurnAnIperf3BitrateIntoFramesPerSecondOfTheMeanPayload()
    {
        assertEquals(1_000_000, GenOptions.framesPerSecond("64M", io.pvnet.engine.guest.SizeMix.of(8)));
        assertEquals(125, GenOptions.framesPerSecond("1000k", io.pvnet.engine.guest.SizeMix.of(1000)));
        // 100, 300: a mean of 200 bytes, 1,600 bits
        assertEquals(1_000, GenOptions.framesPerSecond("1.6m", io.pvnet.engine.guest.SizeMix.of(100, 300)));
        assertEquals(1, GenOptions.framesPerSecond("1", io.pvnet.engine.guest.SizeMix.of(1500)), "at least one a second");
    }

    @org.junit.jupiter.api.Test
    void shouldRefuseToCaptureOverAFileThatIsNotACapture(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws Exception
    {
        final java.nio.file.Path notes = dir.resolve("notes");
        java.nio.file.Files.writeString(notes, "precious\n");
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final SwitchCommand command = new SwitchCommand();
        command.err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        final int exit = new CommandLine(command).execute("--region", dir.resolve("r").toString(), "--vifs", "2",
            "--pcap", "vif1=" + notes);
        final String message = errBytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, message);
        assertEquals("pvnet switch: --pcap=vif1=" + notes + ": " + notes +
            " exists and is not a capture (pcap or pcapng); refusing to replace it\n", message);
        assertEquals("precious\n", java.nio.file.Files.readString(notes));
        assertTrue(!java.nio.file.Files.exists(dir.resolve("r")), "nothing created");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "switch --region /tmp/pvnet-args-test --vifs 0                                   | --vifs=0 must be in 1..4096",
        "switch --region /tmp/pvnet-args-test --vifs 2 --tap a,offload=maybe             | offload=maybe must be on or off",
        "switch --region /tmp/pvnet-args-test --vifs 2 --tap a,speed=1                   | unknown key 'speed'",
        "switch --region /tmp/pvnet-args-test --vifs 2 --tap this-name-is-far-too-long   | needs an interface name",
        "switch --region /tmp/pvnet-args-test --vifs 2 --vxlan local=127.0.0.1,vni=3     | must be local=IP,remote=IP,vni=N",
        "switch --region /tmp/pvnet-args-test --vifs 2 --vxlan local=x,remote=127.0.0.1,vni=3 | local=x is not an IP address",
        "switch --region /tmp/pvnet-args-test --vifs 2 --vxlan local=127.0.0.1,remote=127.0.0.2,vni=16777216 | must be in 0..16777215",
        "switch --region /tmp/pvnet-args-test --vifs 2 --pcap vif1                       | must be PORT=FILE",
        "switch --region /tmp/pvnet-args-test --vifs 2 --pcap vif1=/tmp/c.pcapng,snaplen=0 | snaplen=0 must be a whole number from 1 to 262144",
        "switch --region /tmp/pvnet-args-test --vifs 2 --pcap vif1=/tmp/c.pcapng,files=3 | files=3 needs rotate=MB",
        "switch --region /tmp/pvnet-args-test --vifs 2 --pcap vif1=/no/such/dir/c.pcapng | directory /no/such/dir does not exist",
        "switch --region /tmp/pvnet-args-test --vifs 2 --pcap vif1=/tmp/c.pcapng --pcap vif2=/tmp/c.pcapng,snaplen=64 | is also captured with other options",
        "switch --region /tmp/pvnet-args-test --vifs 2 --route 10.0.0.0/8=vif1           | --router-ip and --route need --routed",
        "switch --region /tmp/pvnet-args-test --vifs 2 --routed --route 10.0.0.0/8=vif3  | no such port 'vif3'",
        "switch --region /tmp/pvnet-args-test --vifs 2 --routed --route 10.0.0.0=vif1    | needs a prefix length",
        "switch --region /tmp/pvnet-args-test --vifs 2 --routed --route ::/0=vif1,via=10.0.0.1 | via must be of the prefix's family",
        "switch --region /tmp/pvnet-args-test --vifs 2 --routed --router-ip vif1=10.0.0.1 | needs a prefix length",
        "switch --region /tmp/pvnet-args-test --vifs 2 --routed --router-ip vif1=bad/24  | is not an IP address",
        "switch --region /tmp/pvnet-args-test --vifs 2 --routed --router-ip vif9=10.0.0.1/24 | no such port 'vif9'",
        "switch --vifs 2                                                                 | Missing required option",
        "switch --region /tmp/pvnet-args-test --vifs 4097                                | --vifs=4097 must be in 1..4096",
        "switch --region /tmp/pvnet-args-test --vifs 2 --queues 17                       | --queues=17 must be in 1..16",
        "guest --region /tmp/pvnet-args-test --vif 1 --ip 300.1.1.1/24                   | is not an IP address",
        "guest --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/33                   | --ip=192.0.2.1/33: the prefix must be a number in 0..32",
        "guest --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --ip6 fd00::1/x   | --ip6=fd00::1/x: the prefix must be a number in 0..128",
        "guest --region /tmp/pvnet-args-test --vif 1 --ip fd00::1/64                     | must be an IPv4 address",
        "guest --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --ip6 192.0.2.9  | must be an IPv6 address",
        "guest --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --mac 01:00:5e:00:00:01 | --mac=01:00:5e:00:00:01 is a group (multicast or broadcast) address; give a unicast MAC",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --mac ff:ff:ff:ff:ff:ff | --mac=ff:ff:ff:ff:ff:ff is a group (multicast or broadcast) address",
        "guest --region /tmp/pvnet-args-test --vif 0 --ip 192.0.2.1/24                   | --vif=0 must be in 1..4096",
        "guest --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --wait -1         | --wait=-1 must be >= 0 seconds",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --tso | --tso needs --proto tcp",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --wait -1 | --wait=-1 must be >= 0 seconds",
        "gen --region /tmp/pvnet-args-test --vif 0 --ip 192.0.2.1/24 --dst 192.0.2.2     | --vif=0 must be in 1..4096",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --proto sctp | must be udp, tcp or icmp",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --proto tcp --size 9000 | --size=9000 must be in",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --count 5 --duration 1 | exclude each other",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst nowhere       | --dst=nowhere is not an IP address",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --flood --rate 1000 | --flood is for udp and icmp without --rate",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --proto tcp --flood | --flood is for udp and icmp",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --window 2 | --window=2 must be in 4..",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 -b 10M --rate 5 | --rate and --bitrate exclude each other",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 -b fast | --bitrate=fast must be a number",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 -b 0 | --bitrate=0 must be positive",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --proto tcp --echo | --echo is for udp",
        "gen --region /tmp/pvnet-args-test --vif 1 --ip 192.0.2.1/24 --dst 192.0.2.2 --size 64,8 | --size=8 must be at least 12 for a one-way udp stream",
    })
    void shouldRejectBadArgumentsWithOneLineAndExitCode2(final String line, final String expected)
    {
        final String[] words = line.trim().split("\\s+");
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        final Object command = switch (words[0])
        {
            case "switch" ->
            {
                final SwitchCommand c = new SwitchCommand();
                c.err = err;
                yield c;
            }
            case "guest" ->
            {
                final GuestCommand c = new GuestCommand();
                c.err = err;
                yield c;
            }
            default ->
            {
                final GenCommand c = new GenCommand();
                c.err = err;
                yield c;
            }
        };
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setErr(new PrintWriter(err, true));
        final int exit = commandLine.execute(java.util.Arrays.copyOfRange(words, 1, words.length));
        final String message = errBytes.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, message);
        assertTrue(message.contains(expected.trim()), message);
        assertTrue(message.startsWith("pvnet " + words[0] + ": ") || message.startsWith("Missing required option"),
            message);
        assertTrue(!java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/pvnet-args-test")), "nothing created");
    }
}
