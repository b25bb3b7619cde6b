package io.pvnet.checksum.offload;

import io.pvnet.checksum.Checksums;
import io.pvnet.testsupport.TestFrames.Sum;
import io.pvnet.checksum.pcap.PcapWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static io.pvnet.testsupport.TestFrames.frame;
import static org.junit.jupiter.api.Assertions.*;

/** {@link PcapOffload} never destroys its input nor leaves a half-written output (issue 13 item 5). */
class PcapOffloadFileSafetyTest
{
    @TempDir
    Path dir;

    private Path input() throws IOException
    {
        final Path in = dir.resolve("in.pcap");
        try (PcapWriter writer = PcapWriter.create(in))
        {
            for (int i = 0; i < 20; i++)
            {
                final byte[] frame = frame().ipId(i).payload(3000, i).ipSum(Sum.ZERO).l4Sum(Sum.PSEUDO_ONLY).build();
                writer.write(new UnsafeBuffer(frame), 0, frame.length, 1_700_000_000_000_000_000L + i);
            }
        }
        return in;
    }

    private static PcapOffload offload()
    {
        return new PcapOffload(new FrameOffloader(Checksums.best(), 1500, 0, UdpOversizeMode.FRAGMENT));
    }

    @Test
    void shouldRefuseOutputThatIsTheInputByNameLinkOrHardLink() throws IOException
    {
        final Path in = input();
        final byte[] before = Files.readAllBytes(in);
        final Path symlink = Files.createSymbolicLink(dir.resolve("link.pcap"), in);
        final Path hardLink = Files.createLink(dir.resolve("hard.pcap"), in);
        for (final Path out : new Path[] {in, dir.resolve("./in.pcap"), symlink, hardLink})
        {
            final IOException ex = assertThrows(IOException.class, () -> offload().run(in, out));
            assertTrue(ex.getMessage().contains("same file as --in"), ex.getMessage());
            assertArrayEquals(before, Files.readAllBytes(in), "the input is untouched for --out " + out);
        }
        assertEquals(Set.of("in.pcap", "link.pcap", "hard.pcap"), names());
    }

    @Test
    void shouldReplaceOutputAtomicallyAndKeepItOnFailure() throws IOException
    {
        final Path in = input();
        final Path out = Files.writeString(dir.resolve("out.pcap"), "old output");
        offload().run(in, out);
        assertTrue(Files.size(out) > Files.size(in), "TSO frames were split: " + Files.size(out));
        assertEquals(Set.of("in.pcap", "out.pcap"), names(), "no temporary file left");

        final Path damaged = Files.write(dir.resolve("damaged.pcap"), Arrays.copyOf(Files.readAllBytes(in), 100));
        final byte[] good = Files.readAllBytes(out);
        assertThrows(IOException.class, () -> offload().run(damaged, out));
        assertArrayEquals(good, Files.readAllBytes(out), "a failed run leaves the previous output as it was");
        assertEquals(Set.of("in.pcap", "out.pcap", "damaged.pcap"), names(), "no temporary file left");
    }

    @Test
    void shouldWriteThroughSymbolicLinkAndRefuseDirectory() throws IOException
    {
        final Path in = input();
        final Path real = Files.writeString(dir.resolve("real.pcap"), "x");
        final Path link = Files.createSymbolicLink(dir.resolve("out-link.pcap"), real);
        offload().run(in, link);
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertTrue(Files.size(real) > 100);
        final Path sub = Files.createDirectory(dir.resolve("sub"));
        final IOException ex = assertThrows(IOException.class, () -> offload().run(in, sub));
        assertTrue(ex.getMessage().contains("is a directory"), ex.getMessage());
    }

    private Set<String> names() throws IOException
    {
        try (var listing = Files.list(dir))
        {
            return listing.filter(p -> !Files.isDirectory(p)).map(p -> p.getFileName().toString())
                .collect(Collectors.toSet());
        }
    }
}
